namespace Orca.Grains.Runtime;

/// <summary>The runtime's seeded random source. Grain code draws randomness only from here.</summary>
public interface IRandomSource
{
    /// <summary>A double in [0, 1).</summary>
    double NextDouble();

    /// <summary>An int in [0, maxExclusive).</summary>
    int Next(int maxExclusive);
}
