using System.Threading.Channels;
using Orca.Grains.Model;
using Orca.Grains.Runtime;

namespace Orca.Silo.Runtime;

/// <summary>One live grain: its instance and a mailbox read by one loop, so its turns never overlap.</summary>
internal sealed class SiloActivation : IGrainContext
{
    private readonly SiloGrainRuntime _runtime;
    private readonly Channel<SiloTurn> _mailbox = Channel.CreateUnbounded<SiloTurn>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private readonly Lock _lock = new();
    private int _timers;
    private int _queued;
    private bool _stopping;
    private long _lastActiveTicks;
    private readonly IRandomSource _random = new SiloRandom();

    public SiloActivation(SiloGrainRuntime runtime, Type grainInterface, string key)
    {
        _runtime = runtime;
        Interface = grainInterface;
        Key = key;
        _lastActiveTicks = runtime.Time.GetTimestamp();
        Grain = runtime.Registry.Create(grainInterface, this, runtime.Services);
        _loop = Task.Run(LoopAsync);
    }

    public Type Interface { get; }
    public Grain Grain { get; }
    public string Key { get; }
    public IGrainFactory GrainFactory => _runtime;
    public TimeProvider Time => _runtime.Time;
    public IRandomSource Random => _random;
    public IEventSink Events => _runtime.Events;
    public OrcaOptions Options => _runtime.Options;

    private readonly List<SiloTimer> _timerList = [];

    public IGrainTimer RegisterTimer(Func<Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _timers);
        var timer = new SiloTimer(this, callback, dueTime, period, () => Interlocked.Decrement(ref _timers));
        lock (_lock) _timerList.Add(timer);
        return timer;
    }

    public void Enqueue(SiloTurn turn)
    {
        lock (_lock)
        {
            if (_stopping)
            {
                turn.Fail(new InvalidOperationException($"{Interface.Name}/{Key} is deactivating; call again"));
                return;
            }
            _queued++;
        }
        _mailbox.Writer.TryWrite(turn);
    }

    private async Task LoopAsync()
    {
        try
        {
            await Grain.ActivateAsync();
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _runtime.Faults);
            Console.Error.WriteLine($"orca: activation of {Interface.Name}/{Key} failed: {e.Message}");
        }
        await foreach (var turn in _mailbox.Reader.ReadAllAsync())
        {
            try
            {
                await turn.RunAsync(Grain);
            }
            catch (Exception e)
            {
                if (!turn.HasCaller)
                {
                    Interlocked.Increment(ref _runtime.Faults);
                    Console.Error.WriteLine($"orca: {Interface.Name}/{Key} {turn.Describe()}: {e.GetType().Name}: {e.Message}");
                }
                if (e is InconsistentStateException)
                {
                    // Someone else wrote this grain's state since it was read: let go, so the next call re-reads it.
                    Handover();
                    break;
                }
            }
            finally
            {
                lock (_lock) _queued--;
                Interlocked.Exchange(ref _lastActiveTicks, _runtime.Time.GetTimestamp());
            }
        }
        await Grain.OnDeactivateAsync();
    }

    /// <summary>Ends this activation and gives the calls still queued to a fresh one (which reads the state anew).</summary>
    private void Handover()
    {
        List<SiloTurn> rest = [];
        List<SiloTimer> timers;
        lock (_lock)
        {
            _stopping = true;
            timers = [.. _timerList];
            _mailbox.Writer.TryComplete();
            while (_mailbox.Reader.TryRead(out var t)) rest.Add(t);
        }
        foreach (var t in timers) t.Dispose();
        _runtime.Remove(this);
        foreach (var t in rest) _runtime.Requeue(Interface, Key, t);
    }

    /// <summary>Deactivates when nothing is queued, no timer runs and nothing happened for <paramref name="idle"/>.</summary>
    public async Task<bool> TryDeactivateIfIdleAsync(TimeSpan idle)
    {
        lock (_lock)
        {
            if (_stopping || _queued > 0 || Volatile.Read(ref _timers) > 0) return false;
            if (_runtime.Time.GetElapsedTime(Interlocked.Read(ref _lastActiveTicks)) < idle) return false;
            _stopping = true;
        }
        _runtime.Remove(this);
        _mailbox.Writer.TryComplete();
        await _loop;
        return true;
    }

    public async Task StopAsync()
    {
        List<SiloTimer> timers;
        lock (_lock)
        {
            _stopping = true;
            timers = [.. _timerList];
        }
        foreach (var t in timers) t.Dispose();
        _mailbox.Writer.TryComplete();
        await _loop;
    }
}

/// <summary>A grain timer on real time; each tick is a turn of its grain.</summary>
internal sealed class SiloTimer : IGrainTimer
{
    private readonly SiloActivation _activation;
    private readonly Func<Task> _callback;
    private readonly ITimer _timer;
    private readonly Action _onDispose;
    private TimeSpan _period;
    private int _disposed;
    private long _version;

    public SiloTimer(SiloActivation activation, Func<Task> callback, TimeSpan due, TimeSpan period, Action onDispose)
    {
        _activation = activation;
        _callback = callback;
        _onDispose = onDispose;
        _timer = activation.Time.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Change(due, period);
    }

    private void Fire()
    {
        long version = Interlocked.Read(ref _version);
        _activation.Enqueue(new TimerTurn(async () =>
        {
            if (Volatile.Read(ref _disposed) == 1 || Interlocked.Read(ref _version) != version) return;
            try
            {
                await _callback();
            }
            finally
            {
                if (_period > TimeSpan.Zero && Volatile.Read(ref _disposed) == 0 && Interlocked.Read(ref _version) == version)
                    _timer.Change(_period, Timeout.InfiniteTimeSpan);
            }
        }));
    }

    public void Change(TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _version);
        _period = period <= TimeSpan.Zero ? Timeout.InfiniteTimeSpan : period;
        _timer.Change(dueTime < TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan ? TimeSpan.Zero : dueTime, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _timer.Dispose();
        _onDispose();
    }
}

internal sealed class SiloRandom : IRandomSource
{
    private readonly Random _random = new();
    public double NextDouble() { lock (_random) return _random.NextDouble(); }
    public int Next(int maxExclusive) { lock (_random) return _random.Next(maxExclusive); }
}
