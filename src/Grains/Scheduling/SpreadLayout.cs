namespace Orca.Grains.Scheduling;

/// <summary>
/// The part of a spread tree that depends only on the nodes' specs: which nodes a service's constraints and spread
/// labels admit, and the branch each node sits in (one level per spread attribute). Shared by every group whose
/// rules read the same constraints and spread levels (services with the same placement), and kept until nodes come,
/// go or change their specs, so a new tree reads no labels.
/// </summary>
internal sealed class SpreadLayout
{
    public SpreadLayout(SchedulingNode[] nodes, PlacementRules rules)
    {
        int n = nodes.Length;
        LeafOf = new int[n];
        Admits = new bool[n];
        NodePredicate[] predicates = [.. rules.Predicates];
        NodeAttribute[] levels = [.. rules.SpreadLevels];
        // Tree node 0 is the root; children are keyed by attribute value (missing = "", which only a test that
        // switches the spread-label filter off lets in).
        var parents = new List<int> { -1 };
        var childIndex = new List<Dictionary<string, int>?> { null };
        for (int c = 0; c < n; c++)
        {
            var spec = nodes[c].Spec;
            bool admits = true;
            int t = 0;
            foreach (var level in levels)
            {
                var value = level.ValueOf(spec);
                admits &= value is not null;
                var children = childIndex[t] ??= new Dictionary<string, int>(StringComparer.Ordinal);
                if (!children.TryGetValue(value ?? "", out int child))
                {
                    child = parents.Count;
                    children.Add(value ?? "", child);
                    parents.Add(t);
                    childIndex.Add(null);
                }
                t = child;
            }
            LeafOf[c] = t;
            foreach (var p in predicates)
                if (admits && !p.Matches(spec)) admits = false;
            Admits[c] = admits;
        }
        Parent = parents.ToArray();
        Rank = new int[Parent.Length];
        IsLeaf = new bool[Parent.Length];
        for (int t = 0; t < Parent.Length; t++)
        {
            if (childIndex[t] is not { } children) { IsLeaf[t] = true; continue; }
            int r = 0;
            foreach (var (_, child) in children.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Rank[child] = r++;
        }
    }

    /// <summary>Per node (by index): its leaf in the tree.</summary>
    public int[] LeafOf { get; }

    /// <summary>Per node: every constraint holds and every spread attribute has a value (the constraint and
    /// spread-label filters pass).</summary>
    public bool[] Admits { get; }

    /// <summary>Per tree node: its parent (-1 for the root), its rank among its siblings by value, whether it is a leaf.</summary>
    public int[] Parent { get; }
    public int[] Rank { get; }
    public bool[] IsLeaf { get; }

    /// <summary>What makes two rules' layouts the same: their constraints and spread levels, in order.</summary>
    public static string KeyOf(PlacementRules rules) =>
        string.Join('\n', rules.Predicates.Select(p => p.Text)) + "\n|\n" + string.Join('\n', rules.SpreadLevels.Select(l => l.Display));
}
