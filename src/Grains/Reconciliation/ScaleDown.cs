using Orca.Grains.Model;

namespace Orca.Grains.Reconciliation;

/// <summary>
/// Which slots a scale-down removes, as the peers choose: slots whose task has no node yet first, then those whose
/// task is not running yet (Kubernetes' ReplicaSet ranking), then running ones one at a time from the most loaded
/// spread value (outermost level first, as Marathon's kill selection walks its groups), then the node holding most
/// copies (SwarmKit), recounting after each removal: 5/4 minus 3 leaves 3/3, zones 3/3 minus 4 leave 1/1.
/// Ties go to the greater value and the highest slot, so the choice is deterministic.
/// </summary>
internal static class ScaleDown
{
    /// <param name="groups">Per node id, the node's value of each spread level (outermost first); nodes not in it
    /// (or no dictionary) count under one value per level.</param>
    public static List<SlotView> Victims(IReadOnlyList<SlotView> slots, int count, IReadOnlyDictionary<string, string[]>? groups)
    {
        var victims = new List<SlotView>(count);
        var waiting = slots.Where(s => s.Current is not { State: TaskState.Running })
            .OrderBy(s => s.Current?.Node is null ? 0 : 1).ThenByDescending(s => s.Slot);
        foreach (var s in waiting)
        {
            if (victims.Count == count) return victims;
            victims.Add(s);
        }
        var root = new Branch("");
        foreach (var s in slots)
        {
            if (s.Current is not { State: TaskState.Running, Node: { } node }) continue;
            var b = root;
            b.Count++;
            foreach (var value in groups?.GetValueOrDefault(node) ?? []) b = b.Child(value);
            b = b.Child(node);
            b.Slots.Add(s);
        }
        while (victims.Count < count && root.Count > 0)
        {
            var b = root;
            var path = new List<Branch> { b };
            while (b.Children is { Count: > 0 } children)
            {
                Branch? most = null;
                foreach (var c in children.Values)
                    if (c.Count > 0 && (most is null || c.Count > most.Count || c.Count == most.Count && string.CompareOrdinal(c.Value, most.Value) > 0))
                        most = c;
                path.Add(b = most!);
            }
            var victim = b.Slots.MaxBy(s => s.Slot)!;
            b.Slots.Remove(victim);
            foreach (var p in path) p.Count--;
            victims.Add(victim);
        }
        return victims;
    }

    private sealed class Branch(string value)
    {
        public string Value { get; } = value;
        public int Count { get; set; }
        public Dictionary<string, Branch>? Children { get; private set; }
        public List<SlotView> Slots { get; } = [];

        public Branch Child(string value)
        {
            Children ??= new Dictionary<string, Branch>(StringComparer.Ordinal);
            if (!Children.TryGetValue(value, out var c)) Children[value] = c = new Branch(value);
            c.Count++;
            return c;
        }
    }
}
