using Orca.Grains.Model;
using Orca.Grains.Scheduling.Filters;

namespace Orca.Grains.Scheduling;

/// <summary>
/// The nodes of one group (service version) arranged as Swarm arranges them for placement preferences: one tree
/// level per spread attribute (outermost first), nodes at the leaves. Each inner tree node keeps its children in a
/// heap ordered by how many tasks of the service are below them, so the next task goes down the emptiest branch in
/// O(depth · log fan-out), ties going to the branch with fewer tasks of all services; each leaf keeps its nodes in
/// a heap ordered by the scoring strategy.
/// <para>A tree is kept across batches (<see cref="SpreadTreeCache"/>): it has a slot per node of the cluster and
/// catches up on the nodes the state's change log names, so placing one task costs what changed, not the cluster's
/// size. A node that fails a <see cref="FilterScope.Node"/> filter leaves its leaf until something on it changes; one
/// that fails a <see cref="FilterScope.Group"/> filter is set aside for the rest of the group only.</para>
/// </summary>
internal sealed class SpreadTree
{
    private enum Slot : byte { Absent, Ready, Out, Aside }

    private readonly SchedulingNode[] _nodes;
    private readonly Slot[] _slot;
    private readonly int[] _leafOf, _heldCount, _heldLoad, _nodePos; // _leafOf is the layout's
    private readonly long[] _primary, _secondary, _tertiary;
    private readonly int[] _parent, _count, _load, _rank, _branchPos;
    private readonly bool[] _isLeaf;
    private readonly IndexedHeap<NodeOrder>?[] _leafHeaps;
    private readonly IndexedHeap<BranchOrder>?[] _childHeaps;
    private readonly NodeOrder _nodeOrder;
    private readonly BranchOrder _branchOrder;
    private readonly List<int> _aside = [], _speculative = [];
    private readonly bool _binpack, _asksNothing;

    /// <param name="byLayout">The static filters are exactly readiness, activity, the constraints and the spread
    /// labels (no GROUP_BY:N or CLUSTER values, no filter switched off), so the layout answers for the last two.</param>
    public SpreadTree(GroupContext group, FilterPipeline pipeline, bool byLayout)
    {
        var state = group.Batch.State;
        Epoch = state.Epoch;
        LogPosition = state.LogPosition;
        Rules = group.Rules;
        Pipeline = pipeline;
        _binpack = group.Rules.Strategy == SchedulingStrategy.Binpack;
        _asksNothing = group.Request.Resources is { CpuMillis: 0, MemoryBytes: 0 };
        _nodes = state.NodeArray;
        var layout = state.LayoutFor(group.Rules);
        _admits = byLayout ? layout.Admits : null;
        _leafOf = layout.LeafOf;
        _parent = layout.Parent;
        _rank = layout.Rank;
        _isLeaf = layout.IsLeaf;
        int n = _nodes.Length, treeSize = _parent.Length;
        _slot = new Slot[n];
        _heldCount = new int[n];
        _heldLoad = new int[n];
        _nodePos = new int[n];
        _primary = new long[n];
        _secondary = new long[n];
        _tertiary = new long[n];
        _count = new int[treeSize];
        _load = new int[treeSize];
        _branchPos = new int[treeSize];
        Array.Fill(_branchPos, -1);
        _leafHeaps = new IndexedHeap<NodeOrder>?[treeSize];
        _childHeaps = new IndexedHeap<BranchOrder>?[treeSize];
        _nodeOrder = new NodeOrder(_primary, _secondary, _tertiary);
        _branchOrder = new BranchOrder(_count, _load, _rank);
        for (int c = 0; c < n; c++)
        {
            var node = _nodes[c];
            if (!Admitted(c, group)) continue;
            _slot[c] = Slot.Ready;
            int leaf = _leafOf[c];
            _count[leaf] += _heldCount[c] = group.ServiceCount(node);
            _load[leaf] += _heldLoad[c] = group.TaskLoad(node);
            Score(c, group);
            (_leafHeaps[leaf] ??= new IndexedHeap<NodeOrder>(_nodeOrder, _nodePos, 4)).Push(c);
        }
        for (int t = treeSize - 1; t > 0; t--) // children always follow parents
        {
            _count[_parent[t]] += _count[t];
            _load[_parent[t]] += _load[t];
        }
        for (int t = treeSize - 1; t > 0; t--)
            if (_isLeaf[t] ? _leafHeaps[t] is { Count: > 0 } : _childHeaps[t] is { Count: > 0 })
                (_childHeaps[_parent[t]] ??= new IndexedHeap<BranchOrder>(_branchOrder, _branchPos, 4)).Push(t);
        // Built on this batch's view: the nodes it touched so far are read again when the tree is next used.
        _builtOn = group.Batch.Touched;
        _builtOnCount = _builtOn.Count;
    }

    private readonly bool[]? _admits;
    private List<SchedulingNode>? _builtOn;
    private int _builtOnCount;

    private bool Admitted(int c, GroupContext group)
    {
        if (_admits is null) return FilterPipeline.Passes(Pipeline.Static, group, _nodes[c]);
        var node = _nodes[c];
        return _admits[c] && node.Status == NodeStatus.Ready && node.Availability == NodeAvailability.Active;
    }

    public PlacementRules Rules { get; }
    public FilterPipeline Pipeline { get; }

    /// <summary>The state's epoch and log position this tree has caught up to.</summary>
    public long Epoch { get; }
    public long LogPosition { get; private set; }

    /// <summary>For the cache: when the tree was last used, and its size in node slots.</summary>
    public long LastUsed { get; set; }
    public int Size => _nodes.Length;

    /// <summary>Brings a kept tree up to date for a new group: the nodes changed since it was last used, those a
    /// batch that was never applied had placed on, and this batch's placements so far. False when a new tree is
    /// cheaper (a new epoch, or more changes than half the cluster).</summary>
    public bool CatchUp(GroupContext group)
    {
        var state = group.Batch.State;
        if (Epoch != state.Epoch) return false;
        if (state.ChangesSince(LogPosition, out int from) is not { } log || log.Count - from > _nodes.Length / 2 + 64) return false;
        for (int i = from; i < log.Count; i++) Refresh(log[i].Index, group, recheckStatic: true);
        foreach (int c in _speculative) Refresh(c, group, recheckStatic: true);
        _speculative.Clear();
        if (_builtOn is not null)
            for (int i = 0; i < _builtOnCount; i++) Refresh(_builtOn[i].Index, group, recheckStatic: true);
        _builtOn = null;
        LogPosition = state.LogPosition;
        foreach (var node in group.Batch.Touched)
        {
            Refresh(node.Index, group, recheckStatic: false);
            _speculative.Add(node.Index);
        }
        return true;
    }

    public SchedulingNode NodeAt(int c) => _nodes[c];

    /// <summary>The best node for the next task of the group, or -1 when none is left.</summary>
    public int Next(GroupContext group)
    {
        var dynamic = Pipeline.Dynamic;
        while (true)
        {
            int t = 0;
            while (!_isLeaf[t])
            {
                if (_childHeaps[t] is not { Count: > 0 } children) return -1; // only the root can be empty
                t = children.Peek();
            }
            var leaf = _leafHeaps[t];
            while (leaf is { Count: > 0 })
            {
                int c = leaf.Peek();
                var refused = FirstRefusal(dynamic, group, _nodes[c]);
                if (refused is null) return c;
                leaf.Remove(c);
                if (refused.Scope == FilterScope.Group)
                {
                    _slot[c] = Slot.Aside;
                    _aside.Add(c);
                }
                else _slot[c] = Slot.Out;
            }
            if (t == 0) return -1;
            Detach(t);
        }
    }

    /// <summary>Counts a task of the group placed on node <paramref name="c"/> (which <see cref="Next"/> returned).</summary>
    public void Placed(int c, GroupContext group)
    {
        Refresh(c, group, recheckStatic: false);
        _speculative.Add(c); // until the state says whether the batch was applied
    }

    /// <summary>Puts back the nodes set aside by group-scoped filters: at the end of the group, or when a topology
    /// spread refusal may have lifted.</summary>
    public void RestoreAside()
    {
        foreach (int c in _aside)
        {
            if (_slot[c] != Slot.Aside) continue;
            _slot[c] = Slot.Ready;
            Insert(c);
        }
        _aside.Clear();
    }

    private static IPlacementFilter? FirstRefusal(IPlacementFilter[] filters, GroupContext group, SchedulingNode node)
    {
        foreach (var f in filters)
            if (!f.Check(group, node)) return f;
        return null;
    }

    /// <summary>Reads node <paramref name="c"/> again from the group's view: whether the static filters pass, its
    /// counts (and so its branches' counts) and its score.</summary>
    private void Refresh(int c, GroupContext group, bool recheckStatic)
    {
        var node = _nodes[c];
        if (recheckStatic && !Admitted(c, group))
        {
            if (_slot[c] == Slot.Absent) return;
            if (_slot[c] == Slot.Ready) Remove(c);
            Propagate(c, -_heldCount[c], -_heldLoad[c]);
            _heldCount[c] = _heldLoad[c] = 0;
            _slot[c] = Slot.Absent; // an entry in _aside is skipped when restored
            return;
        }
        if (_slot[c] == Slot.Absent && !recheckStatic) return;
        int count = group.ServiceCount(node), load = group.TaskLoad(node);
        Propagate(c, count - _heldCount[c], load - _heldLoad[c]);
        _heldCount[c] = count;
        _heldLoad[c] = load;
        Score(c, group);
        switch (_slot[c])
        {
            case Slot.Ready: _leafHeaps[_leafOf[c]]!.Update(c); break;
            case Slot.Absent or Slot.Out:
                _slot[c] = Slot.Ready;
                Insert(c);
                break;
            // Aside: goes back with its new score when the group ends.
        }
    }

    private void Propagate(int c, int countDelta, int loadDelta)
    {
        if (countDelta == 0 && loadDelta == 0) return;
        int t = _leafOf[c];
        while (true)
        {
            _count[t] += countDelta;
            _load[t] += loadDelta;
            if (t == 0) return;
            int parent = _parent[t];
            if (_branchPos[t] >= 0) _childHeaps[parent]!.Update(t);
            t = parent;
        }
    }

    private void Insert(int c)
    {
        int t = _leafOf[c];
        var leaf = _leafHeaps[t] ??= new IndexedHeap<NodeOrder>(_nodeOrder, _nodePos, 4);
        leaf.Push(c);
        if (leaf.Count > 1) return;
        // The leaf was empty: it and every empty branch above it join their parents' heaps again.
        while (t != 0 && _branchPos[t] < 0)
        {
            int parent = _parent[t];
            (_childHeaps[parent] ??= new IndexedHeap<BranchOrder>(_branchOrder, _branchPos, 4)).Push(t);
            t = parent;
        }
    }

    private void Remove(int c)
    {
        int t = _leafOf[c];
        var leaf = _leafHeaps[t]!;
        leaf.Remove(c);
        if (leaf.Count == 0 && t != 0) Detach(t);
    }

    /// <summary>Takes an empty branch out of its parent's heap, and the parent out of its own when that empties it.</summary>
    private void Detach(int t)
    {
        while (t != 0)
        {
            var siblings = _childHeaps[_parent[t]]!;
            siblings.Remove(t);
            if (siblings.Count > 0) return;
            t = _parent[t];
        }
    }

    /// <summary>What a present image is worth, in permille of allocation: it decides only between nodes allocated
    /// within 5 % of each other (a weak preference, as Kubernetes weighs image locality), so services sharing an
    /// image do not pile onto the nodes that pulled it first.</summary>
    private const long ImageBonusPermille = 50;

    /// <summary>Spread: fewest tasks of the service, then least allocated (a present image counting as 5 % less),
    /// then fewest tasks of all services (as SwarmKit's spread); a task that asks for no cpu or memory goes by the
    /// task count before the image, or every such task would follow the first one's image to one node.
    /// Binpack: most allocated (a present image counting as 5 % more). Ties break by node id (the slots' order).</summary>
    private void Score(int c, GroupContext group)
    {
        var node = _nodes[c];
        long allocated = Permille(group.CpuUsed(node), node.Spec.Capacity.CpuMillis)
                       + Permille(group.MemoryUsed(node), node.Spec.Capacity.MemoryBytes);
        long bonus = group.HasImage(node) ? ImageBonusPermille : 0;
        if (_binpack)
        {
            _primary[c] = -(allocated + bonus);
            _secondary[c] = 0;
        }
        else
        {
            _primary[c] = _heldCount[c];
            if (_asksNothing)
            {
                // No cpu or memory asked: allocation says nothing of this task, so the task count decides, then the image.
                _secondary[c] = _heldLoad[c];
                _tertiary[c] = -bonus;
            }
            else
            {
                _secondary[c] = allocated - bonus;
                _tertiary[c] = _heldLoad[c];
            }
        }
    }

    private static long Permille(long used, long capacity) => capacity <= 0 ? 0 : used * 1000 / capacity;

    private readonly struct NodeOrder(long[] primary, long[] secondary, long[] tertiary) : IItemOrder
    {
        public bool Before(int a, int b) =>
            primary[a] != primary[b] ? primary[a] < primary[b]
            : secondary[a] != secondary[b] ? secondary[a] < secondary[b]
            : tertiary[a] != tertiary[b] ? tertiary[a] < tertiary[b]
            : a < b;
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
