using Microsoft.Extensions.DependencyInjection;
using Orca.Grains.Model;
using Orleans.Serialization;

namespace Orca.Simulator.Runtime;

/// <summary>Orleans' own serializer, set up once for Orca's types: what a message or a state write between real silos
/// and a real database goes through, so that what would fail to serialize in production fails in simulation first.</summary>
public static class OrleansCopier
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(NodeSpec).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    public static byte[] ToBytes<T>(T value) => Serializer.SerializeToArray(value);

    public static T FromBytes<T>(byte[] bytes) => Serializer.Deserialize<T>(bytes)!;

    /// <summary>Serializes and reads back (the runtime type travels with the value, as on the wire).</summary>
    public static object? RoundTrip(object? value) => value is null ? null : FromBytes<object>(ToBytes<object>(value));
}
