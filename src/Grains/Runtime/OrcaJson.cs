using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orca.Grains.Runtime;

/// <summary>The one JSON shape of messages and state, in every host.</summary>
public static class OrcaJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Serializes and reads back, as a message or state crossing a process boundary would.</summary>
    public static object? RoundTrip(object? value, Type type) =>
        JsonSerializer.Deserialize(JsonSerializer.Serialize(value, type, Options), type, Options);
}
