using System.Collections;
using Newtonsoft.Json;

namespace Orca.Silo.Storage;

/// <summary>
/// Orleans' JSON grain storage records a collection's type name when it differs from the declared one, and reads back
/// only types on Orleans' allow-list. A C# collection expression given to an <c>IReadOnlyList&lt;T&gt;</c> makes a
/// compiler-made type (<c>&lt;&gt;z__ReadOnlyArray</c>, <c>&lt;&gt;z__ReadOnlySingleElementList</c>) that is not on it, so a
/// grain's state could be written and never read again (every service with a health check was unreadable after a
/// restart). Such collections are written as plain JSON arrays here, which read back as the declared interface.
/// Hand-written because neither Orleans nor Newtonsoft.Json knows these types; Orleans' binary wire format has no
/// such trouble (it reads them back as lists).
/// </summary>
internal sealed class CompilerCollectionConverter : JsonConverter
{
    public override bool CanConvert(Type objectType) =>
        objectType.Name.StartsWith("<>z__", StringComparison.Ordinal) && typeof(IEnumerable).IsAssignableFrom(objectType);

    public override bool CanRead => false;

    public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer)
    {
        writer.WriteStartArray();
        foreach (var item in (IEnumerable)value!) serializer.Serialize(writer, item);
        writer.WriteEndArray();
    }

    public override object ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer) =>
        throw new NotSupportedException("compiler-made collections are read as their declared interface");
}
