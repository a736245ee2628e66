using Orca.Simulator.Engine;
using Orleans;
using Orleans.Runtime;
using Orleans.Timers;

namespace Orca.Simulator.Runtime;

/// <summary>Orleans' <see cref="ITimerRegistry"/> on the virtual clock: what <c>RegisterGrainTimer</c> reaches.</summary>
internal sealed class SimTimerRegistry(EventLoop loop) : ITimerRegistry
{
    public IGrainTimer RegisterGrainTimer<TState>(IGrainContext grainContext, Func<TState, CancellationToken, Task> callback, TState state,
        GrainTimerCreationOptions options) =>
        new SimTimer(loop, (Activation)grainContext, () => callback(state, CancellationToken.None), options.DueTime, options.Period);

    [Obsolete("Orleans' legacy timer API")]
    public IDisposable RegisterTimer(IGrainContext grainContext, Func<object?, Task> asyncCallback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new SimTimer(loop, (Activation)grainContext, () => asyncCallback(state), dueTime, period);
}

/// <summary>A grain timer. Each tick is a turn of its grain; the next tick of a periodic timer is counted from the end
/// of the callback, as Orleans does. <see cref="Change"/> invalidates ticks already scheduled. Timers live and die with
/// their activation.</summary>
internal sealed class SimTimer : IGrainTimer
{
    private readonly EventLoop _loop;
    private readonly Activation _activation;
    private readonly Func<Task> _callback;
    private long _periodTicks;
    private long _version;
    private bool _disposed;
    private static readonly SendOrPostCallback Fire = state => ((Tick)state!).Timer.OnDue((Tick)state);

    public SimTimer(EventLoop loop, Activation activation, Func<Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        _loop = loop;
        _activation = activation;
        _callback = callback;
        Change(dueTime, period);
    }

    public void Change(TimeSpan dueTime, TimeSpan period)
    {
        if (_disposed) return;
        _version++;
        _periodTicks = period <= TimeSpan.Zero ? -1 : period.Ticks;
        if (dueTime == Timeout.InfiniteTimeSpan) return;
        _loop.ScheduleAfter(Math.Max(0, dueTime.Ticks), Fire, new Tick(this, _version));
    }

    public void Dispose() => _disposed = true;

    private void OnDue(Tick tick)
    {
        if (!_disposed && tick.Version == _version && !_activation.Dead) _activation.Enqueue(tick);
    }

    private sealed class Tick(SimTimer timer, long version) : Turn
    {
        public SimTimer Timer { get; } = timer;
        public long Version { get; } = version;

        public override Task Start(Activation activation) =>
            Timer._disposed || Version != Timer._version ? Task.CompletedTask : Timer._callback();

        public override void Finish(Activation activation, Task task)
        {
            if (Timer._disposed || Version != Timer._version || Timer._periodTicks < 0) return;
            Timer._loop.ScheduleAfter(Timer._periodTicks, Fire, this);
        }

        public override string Describe() => "timer";
    }
}
