using Orleans;
using Orleans.Runtime;

namespace Orca.Grains.Runtime;

/// <summary>
/// A one-shot Orleans grain timer that coalesces requests: asking for a time later than the one already set changes
/// nothing, asking for an earlier one moves it. Used to batch work (scheduling, reconciling) behind a short delay.
/// Orleans has no such timer of its own; this is a few lines over <c>RegisterGrainTimer</c> and <c>Change</c>.
/// </summary>
public sealed class GrainAlarm(IGrainBase grain, TimeProvider time, Func<Task> callback)
{
    private IGrainTimer? _timer;
    private DateTimeOffset? _at;

    /// <summary>Makes sure the callback runs within <paramref name="delay"/> from now.</summary>
    public void RequestWithin(TimeSpan delay)
    {
        if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
        var at = time.GetUtcNow() + delay;
        if (_at is { } pending && pending <= at) return;
        _at = at;
        if (_timer is null) _timer = grain.RegisterGrainTimer(FireAsync, delay, Timeout.InfiniteTimeSpan);
        else _timer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private Task FireAsync()
    {
        _at = null;
        return callback();
    }
}
