using Orleans;
namespace Orca.Grains.Model;

/// <summary>CPU in millicores, memory in bytes.</summary>
[GenerateSerializer, Immutable, Alias("orca.Resources")]
public readonly record struct Resources([property: Id(0)] long CpuMillis, [property: Id(1)] long MemoryBytes)
{
    public static readonly Resources Zero = new(0, 0);
    public static Resources operator +(Resources a, Resources b) => new(a.CpuMillis + b.CpuMillis, a.MemoryBytes + b.MemoryBytes);
    public static Resources operator -(Resources a, Resources b) => new(a.CpuMillis - b.CpuMillis, a.MemoryBytes - b.MemoryBytes);
    public bool FitsWithin(Resources capacity) => CpuMillis <= capacity.CpuMillis && MemoryBytes <= capacity.MemoryBytes;
    public override string ToString() => $"{QuantityFormat.Cpu(CpuMillis)} cpu, {QuantityFormat.Bytes(MemoryBytes)}";
}
