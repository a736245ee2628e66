namespace Orca.Simulator.Engine;

/// <summary>
/// The discrete-event core: a virtual clock and a queue of callbacks ordered by (time, sequence). Nothing sleeps:
/// the clock jumps to the next event. Events at the same time run in the order they were scheduled, so one seed
/// fixes the whole run. Single-threaded; <see cref="Run"/> installs <see cref="SimSynchronizationContext"/> so that
/// every <c>await</c> in grain code resumes through this queue and nothing reaches the thread pool.
/// </summary>
public sealed class EventLoop
{
    private Entry[] _heap = new Entry[1024];
    private int _count;
    private long _sequence;
    private readonly SimSynchronizationContext _context;

    public EventLoop() => _context = new SimSynchronizationContext(this);

    /// <summary>Virtual time in ticks (100 ns) since the start of the run.</summary>
    public long Now { get; private set; }

    public long EventsProcessed { get; private set; }
    public int Pending => _count;

    /// <summary>Called every <see cref="ProgressEvery"/> events with the loop; for progress bars only.</summary>
    public Action<EventLoop>? OnProgress { get; set; }
    public long ProgressEvery { get; set; } = 1 << 16;

    public void Schedule(long atTicks, SendOrPostCallback callback, object? state)
    {
        if (atTicks < Now) atTicks = Now;
        if (_count == _heap.Length) Array.Resize(ref _heap, _count * 2);
        var entry = new Entry(atTicks, _sequence++, callback, state);
        int at = _count++;
        while (at > 0)
        {
            int parent = (at - 1) >> 2;
            if (!entry.Before(_heap[parent])) break;
            _heap[at] = _heap[parent];
            at = parent;
        }
        _heap[at] = entry;
    }

    public void ScheduleAfter(long delayTicks, SendOrPostCallback callback, object? state) => Schedule(Now + delayTicks, callback, state);

    /// <summary>Runs events up to and including <paramref name="untilTicks"/>; the clock then stands there.</summary>
    public void Run(long untilTicks)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_context);
        try
        {
            while (_count > 0 && _heap[0].Time <= untilTicks)
            {
                var e = Pop();
                Now = e.Time;
                e.Callback(e.State);
                if (++EventsProcessed % ProgressEvery == 0) OnProgress?.Invoke(this);
            }
            if (Now < untilTicks) Now = untilTicks;
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    private Entry Pop()
    {
        var top = _heap[0];
        var last = _heap[--_count];
        _heap[_count] = default;
        if (_count == 0) return top;
        int at = 0;
        while (true)
        {
            int first = 4 * at + 1;
            if (first >= _count) break;
            int best = first;
            int end = Math.Min(first + 4, _count);
            for (int c = first + 1; c < end; c++)
                if (_heap[c].Before(_heap[best])) best = c;
            if (!_heap[best].Before(last)) break;
            _heap[at] = _heap[best];
            at = best;
        }
        _heap[at] = last;
        return top;
    }

    private readonly struct Entry(long time, long sequence, SendOrPostCallback callback, object? state)
    {
        public readonly long Time = time;
        public readonly long Sequence = sequence;
        public readonly SendOrPostCallback Callback = callback;
        public readonly object? State = state;

        public bool Before(in Entry other) => Time != other.Time ? Time < other.Time : Sequence < other.Sequence;
    }
}
