using Orca.Grains.Model;
using Orca.Grains.Scheduling.Filters;

namespace Orca.Grains.Scheduling;

/// <summary>
/// The feasible nodes of one group arranged as Swarm arranges them for placement preferences: one tree level per
/// spread attribute (outermost first), nodes at the leaves. Each inner tree node keeps its children in a heap
/// ordered by how many tasks of the service are below them, so the next task goes down the emptiest branch in
/// O(depth · log fan-out), ties going to the branch with fewer tasks of all services; each leaf keeps its nodes
/// in a heap ordered by the scoring strategy. A node that can
/// no longer take a task of this group is dropped from its leaf, and an empty branch from its parent.
/// </summary>
internal sealed class SpreadTree
{
    private readonly SchedulingNode[] _candidates;
    private readonly long[] _primary, _secondary, _tertiary;
    private readonly int[] _leafOf;
    private readonly int[] _parent, _count, _rank, _load;
    private readonly IndexedHeap<NodeOrder>?[] _leafHeaps;
    private readonly IndexedHeap<BranchOrder>?[] _childHeaps;
    private readonly GroupContext _group;
    private readonly bool _binpack, _asksNothing;

    public SpreadTree(GroupContext group, List<SchedulingNode> candidates)
    {
        _group = group;
        _binpack = group.Rules.Strategy == SchedulingStrategy.Binpack;
        _asksNothing = group.Request.Resources is { CpuMillis: 0, MemoryBytes: 0 };
        _candidates = candidates.ToArray();
        int n = _candidates.Length;
        _primary = new long[n];
        _secondary = new long[n];
        _tertiary = new long[n];
        _leafOf = new int[n];

        // Build the branches: tree node 0 is the root; children are keyed by attribute value (missing = "").
        var levels = group.Rules.SpreadLevels;
        var parents = new List<int> { -1 };
        var values = new List<string> { "" };
        var childIndex = new List<Dictionary<string, int>?> { null };
        for (int c = 0; c < n; c++)
        {
            int t = 0;
            foreach (var level in levels)
            {
                var value = level.ValueOf(_candidates[c].Spec) ?? "";
                var children = childIndex[t] ??= new Dictionary<string, int>(StringComparer.Ordinal);
                if (!children.TryGetValue(value, out int child))
                {
                    child = parents.Count;
                    children.Add(value, child);
                    parents.Add(t);
                    values.Add(value);
                    childIndex.Add(null);
                }
                t = child;
            }
            _leafOf[c] = t;
        }

        int treeSize = parents.Count;
        _parent = parents.ToArray();
        _count = new int[treeSize];
        _load = new int[treeSize];
        _rank = new int[treeSize];
        foreach (var children in childIndex)
        {
            if (children is null) continue;
            int r = 0;
            foreach (var (_, child) in children.OrderBy(kv => kv.Key, StringComparer.Ordinal)) _rank[child] = r++;
        }

        for (int c = 0; c < n; c++)
        {
            _count[_leafOf[c]] += group.ServiceCount[_candidates[c].Index];
            _load[_leafOf[c]] += group.TaskLoad(_candidates[c]);
        }
        for (int t = treeSize - 1; t > 0; t--) // children always follow parents
        {
            _count[_parent[t]] += _count[t];
            _load[_parent[t]] += _load[t];
        }

        var nodePositions = new int[n];
        var branchPositions = new int[treeSize];
        _leafHeaps = new IndexedHeap<NodeOrder>?[treeSize];
        _childHeaps = new IndexedHeap<BranchOrder>?[treeSize];
        var nodeOrder = new NodeOrder(_primary, _secondary, _tertiary, _candidates);
        for (int c = 0; c < n; c++)
        {
            Score(c);
            int leaf = _leafOf[c];
            (_leafHeaps[leaf] ??= new IndexedHeap<NodeOrder>(nodeOrder, nodePositions, 4)).Push(c);
        }
        var branchOrder = new BranchOrder(_count, _load, _rank);
        for (int t = 1; t < treeSize; t++)
            (_childHeaps[_parent[t]] ??= new IndexedHeap<BranchOrder>(branchOrder, branchPositions, 4)).Push(t);
        Exhausted = n == 0;
    }

    /// <summary>No node of the tree can take another task of the group.</summary>
    public bool Exhausted { get; private set; }

    public SchedulingNode NodeAt(int candidate) => _candidates[candidate];

    /// <summary>The best candidate for the next task, or -1 when none is left. Nodes whose dynamic filters fail are dropped.</summary>
    public int Next(IPlacementFilter[] dynamicFilters)
    {
        while (!Exhausted)
        {
            int t = 0;
            while (_childHeaps[t] is { } children) t = children.Peek();
            var leaf = _leafHeaps[t]!;
            while (leaf.Count > 0)
            {
                int c = leaf.Peek();
                if (FilterPipeline.Passes(dynamicFilters, _group, _candidates[c])) return c;
                leaf.Remove(c);
            }
            Drop(t);
        }
        return -1;
    }

    /// <summary>Counts a task placed on candidate <paramref name="c"/> (which <see cref="Next"/> just returned).</summary>
    public void Placed(int c)
    {
        int t = _leafOf[c];
        Score(c);
        _leafHeaps[t]!.Update(c);
        while (t != 0)
        {
            _count[t]++;
            _load[t]++;
            int parent = _parent[t];
            _childHeaps[parent]!.Update(t);
            t = parent;
        }
        _count[0]++;
        _load[0]++;
    }

    private void Drop(int t)
    {
        while (true)
        {
            if (t == 0) { Exhausted = true; return; }
            int parent = _parent[t];
            var siblings = _childHeaps[parent]!;
            siblings.Remove(t);
            if (siblings.Count > 0) return;
            t = parent;
        }
    }

    /// <summary>What a present image is worth, in permille of allocation: it decides only between nodes allocated
    /// within 5 % of each other (a weak preference, as Kubernetes weighs image locality), so services sharing an
    /// image do not pile onto the nodes that pulled it first.</summary>
    private const long ImageBonusPermille = 50;

    /// <summary>Spread: fewest tasks of the service, then least allocated (a present image counting as 5 % less),
    /// then fewest tasks of all services (as SwarmKit's spread); a task that asks for no cpu or memory goes by the
    /// task count before the image, or every such task would follow the first one's image to one node.
    /// Binpack: most allocated (a present image counting as 5 % more). Ties break by node id (the candidates' order).</summary>
    private void Score(int c)
    {
        var node = _candidates[c];
        long allocated = Permille(_group.CpuUsed(node), node.Spec.Capacity.CpuMillis)
                       + Permille(_group.MemoryUsed(node), node.Spec.Capacity.MemoryBytes);
        long bonus = _group.HasImage(node) ? ImageBonusPermille : 0;
        if (_binpack)
        {
            _primary[c] = -(allocated + bonus);
            _secondary[c] = 0;
        }
        else
        {
            _primary[c] = _group.ServiceCount[node.Index];
            if (_asksNothing)
            {
                // No cpu or memory asked: allocation says nothing of this task, so the task count decides, then the image.
                _secondary[c] = _group.TaskLoad(node);
                _tertiary[c] = -bonus;
            }
            else
            {
                _secondary[c] = allocated - bonus;
                _tertiary[c] = _group.TaskLoad(node);
            }
        }
    }

    private static long Permille(long used, long capacity) => capacity <= 0 ? 0 : used * 1000 / capacity;

    private readonly struct NodeOrder(long[] primary, long[] secondary, long[] tertiary, SchedulingNode[] candidates) : IItemOrder
    {
        public bool Before(int a, int b) =>
            primary[a] != primary[b] ? primary[a] < primary[b]
            : secondary[a] != secondary[b] ? secondary[a] < secondary[b]
            : tertiary[a] != tertiary[b] ? tertiary[a] < tertiary[b]
            : candidates[a].Index < candidates[b].Index;
    }

    /// <summary>Fewest tasks of the service; on a tie, the branch with fewest tasks of all services (so the
    /// remainders of many services do not all land on the first branch by name); then the name.</summary>
    private readonly struct BranchOrder(int[] count, int[] load, int[] rank) : IItemOrder
    {
        public bool Before(int a, int b) =>
            count[a] != count[b] ? count[a] < count[b]
            : load[a] != load[b] ? load[a] < load[b]
            : rank[a] < rank[b];
    }
}
