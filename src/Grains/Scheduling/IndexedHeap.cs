namespace Orca.Grains.Scheduling;

/// <summary>Orders two items of a heap; a struct so that the JIT inlines the comparison.</summary>
internal interface IItemOrder
{
    bool Before(int a, int b);
}

/// <summary>A binary min-heap of small int items whose keys change in place (<see cref="Update"/>).
/// Item positions live in an array shared by every heap of one placement, since each item belongs to one heap.</summary>
internal sealed class IndexedHeap<TOrder>(TOrder order, int[] positions, int capacity) where TOrder : struct, IItemOrder
{
    private int[] _items = new int[Math.Max(capacity, 1)];
    private TOrder _order = order;

    public int Count { get; private set; }

    public int Peek() => _items[0];

    public void Push(int item)
    {
        if (Count == _items.Length) Array.Resize(ref _items, Count * 2);
        _items[Count] = item;
        positions[item] = Count;
        Count++;
        SiftUp(Count - 1);
    }

    public void Remove(int item)
    {
        int at = positions[item];
        positions[item] = -1;
        Count--;
        if (at == Count) return;
        _items[at] = _items[Count];
        positions[_items[at]] = at;
        SiftDown(at);
        SiftUp(at);
    }

    /// <summary>Restores order after the key of <paramref name="item"/> changed.</summary>
    public void Update(int item)
    {
        int at = positions[item];
        SiftUp(at);
        SiftDown(positions[item]);
    }

    private void SiftUp(int at)
    {
        int item = _items[at];
        while (at > 0)
        {
            int parent = (at - 1) >> 1;
            if (!_order.Before(item, _items[parent])) break;
            _items[at] = _items[parent];
            positions[_items[at]] = at;
            at = parent;
        }
        _items[at] = item;
        positions[item] = at;
    }

    private void SiftDown(int at)
    {
        int item = _items[at];
        while (true)
        {
            int child = 2 * at + 1;
            if (child >= Count) break;
            if (child + 1 < Count && _order.Before(_items[child + 1], _items[child])) child++;
            if (!_order.Before(_items[child], item)) break;
            _items[at] = _items[child];
            positions[_items[at]] = at;
            at = child;
        }
        _items[at] = item;
        positions[item] = at;
    }
}
