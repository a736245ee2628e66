namespace Orca.Simulator.Runtime;

/// <summary>
/// Where a grain lives: the active silo with the highest rendezvous hash of (grain, silo). Every silo with the same
/// view of the membership computes the same owner, and when a silo joins or leaves only its share of the grains moves.
/// </summary>
public static class GrainDirectory
{
    public static string Owner(string grain, IReadOnlyList<string> silos)
    {
        string best = silos[0];
        ulong bestScore = 0;
        foreach (var silo in silos)
        {
            ulong score = Hash(grain, silo);
            if (score > bestScore || score == bestScore && string.CompareOrdinal(silo, best) < 0)
            {
                best = silo;
                bestScore = score;
            }
        }
        return best;
    }

    private static ulong Hash(string grain, string silo)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in grain) h = (h ^ c) * 1099511628211UL;
        h = (h ^ '@') * 1099511628211UL;
        foreach (char c in silo) h = (h ^ c) * 1099511628211UL;
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        return h;
    }
}
