namespace Orca.Grains.Scheduling;

/// <summary>
/// The spread trees of the groups placed lately, one per (service, spec version), so that the next task of a
/// service (a replacement after a crash, a scale by one) costs what changed since, not a tree over the whole
/// cluster. A tree holds a slot per node; the cache keeps at most <see cref="SlotBudget"/> slots (some 45 bytes
/// each: 40 trees at 100,000 nodes, 800 at 5,000) and drops the least recently used tree to make room.
/// </summary>
internal sealed class SpreadTreeCache
{
    public const long SlotBudget = 4_000_000;

    private readonly Dictionary<(string Service, int Version), SpreadTree> _trees = new();
    private long _clock, _slots;

    /// <summary>The group's tree, caught up; built anew when there is none, when the service's rules are another
    /// object (a node avoided for a while), or when catching up would cost more than building.</summary>
    public SpreadTree For(GroupContext group, Func<FilterPipeline> pipeline)
    {
        var key = (group.Request.Service, group.Request.SpecVersion);
        if (_trees.TryGetValue(key, out var tree))
        {
            if (ReferenceEquals(tree.Rules, group.Rules) && tree.CatchUp(group))
            {
                tree.LastUsed = ++_clock;
                return tree;
            }
            _trees.Remove(key);
            _slots -= tree.Size;
        }
        tree = new SpreadTree(group, pipeline(), byLayout: true) { LastUsed = ++_clock };
        while (_trees.Count > 0 && _slots + tree.Size > SlotBudget) Evict();
        _trees.Add(key, tree);
        _slots += tree.Size;
        return tree;
    }

    private void Evict()
    {
        var oldest = _trees.MinBy(kv => kv.Value.LastUsed);
        _trees.Remove(oldest.Key);
        _slots -= oldest.Value.Size;
    }
}
