namespace Orca.Grains.Model;

/// <summary>CPU in millicores, memory in bytes.</summary>
public readonly record struct Resources(long CpuMillis, long MemoryBytes)
{
    public static readonly Resources Zero = new(0, 0);
    public static Resources operator +(Resources a, Resources b) => new(a.CpuMillis + b.CpuMillis, a.MemoryBytes + b.MemoryBytes);
    public static Resources operator -(Resources a, Resources b) => new(a.CpuMillis - b.CpuMillis, a.MemoryBytes - b.MemoryBytes);
    public bool FitsWithin(Resources capacity) => CpuMillis <= capacity.CpuMillis && MemoryBytes <= capacity.MemoryBytes;
    public override string ToString() => $"{QuantityFormat.Cpu(CpuMillis)} cpu, {QuantityFormat.Bytes(MemoryBytes)}";
}
