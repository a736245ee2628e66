using Orca.Grains.Runtime;

namespace Orca.Simulator.Engine;

/// <summary>
/// xoshiro256** seeded through SplitMix64. <see cref="Fork"/> derives an independent stream by name, so each
/// subsystem (network, hosts, faults, each grain) draws from its own stream and adding a draw in one place does
/// not shift the others.
/// </summary>
public sealed class SimRandom : IRandomSource
{
    private ulong _s0, _s1, _s2, _s3;
    private readonly ulong _seed;

    public SimRandom(ulong seed)
    {
        _seed = seed;
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    public SimRandom Fork(string name)
    {
        ulong h = 14695981039346656037UL; // FNV-1a over the name, mixed with this stream's seed
        foreach (char c in name)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        ulong x = _seed ^ h;
        return new SimRandom(SplitMix(ref x));
    }

    public ulong NextULong()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public int Next(int maxExclusive) => maxExclusive <= 0 ? 0 : (int)(((NextULong() >> 32) * (ulong)maxExclusive) >> 32);

    /// <summary>An exponentially distributed duration with the given mean, in ticks.</summary>
    public long Exponential(long meanTicks) => meanTicks <= 0 ? 0 : (long)(-Math.Log(1.0 - NextDouble()) * meanTicks);

    /// <summary>Uniform in [min, max] ticks.</summary>
    public long Uniform(long minTicks, long maxTicks) => maxTicks <= minTicks ? minTicks : minTicks + (long)(NextDouble() * (maxTicks - minTicks));

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
