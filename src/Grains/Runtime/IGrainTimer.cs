namespace Orca.Grains.Runtime;

/// <summary>
/// A grain timer: its callback runs as a turn of the grain (never concurrently with a call).
/// A periodic timer's next tick is counted from the end of the previous callback, as in Orleans.
/// </summary>
public interface IGrainTimer : IDisposable
{
    /// <summary>Re-arms the timer; <see cref="Timeout.InfiniteTimeSpan"/> as period makes it one-shot.</summary>
    void Change(TimeSpan dueTime, TimeSpan period);
}
