namespace Orca.Grains.Runtime;

/// <summary>
/// A one-shot grain timer that coalesces requests: asking for a time later than the one already set changes
/// nothing, asking for an earlier one moves it. Used to batch work (scheduling, reconciling) behind a short delay.
/// </summary>
public sealed class GrainAlarm(IGrainContext context, Func<Task> callback)
{
    private IGrainTimer? _timer;
    private DateTimeOffset? _at;

    /// <summary>Makes sure the callback runs within <paramref name="delay"/> from now.</summary>
    public void RequestWithin(TimeSpan delay)
    {
        var at = context.Time.GetUtcNow() + delay;
        if (_at is { } pending && pending <= at) return;
        _at = at;
        if (_timer is null) _timer = context.RegisterTimer(FireAsync, delay, Timeout.InfiniteTimeSpan);
        else _timer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private Task FireAsync()
    {
        _at = null;
        return callback();
    }
}
