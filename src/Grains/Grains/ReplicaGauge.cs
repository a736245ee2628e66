using Orca.Grains.Model;
using Orca.Grains.Runtime;

namespace Orca.Grains.Grains;

/// <summary>
/// A service's share of <see cref="OrcaMetrics.ServiceReplicas"/> (desired, running, pending), moved by deltas: a full
/// recount after the service changes or reconciles, and the cheap step of one task's report in between (a report is
/// the hot path: recounting every slot on each would cost the whole service per report).
/// </summary>
internal sealed class ReplicaGauge(OrcaMetrics metrics, string service)
{
    private long _desired, _running, _pending;
    private bool _shown;

    public void Set(long desired, long running, long pending)
    {
        Add("desired", desired - _desired);
        Add("running", running - _running);
        Add("pending", pending - _pending);
        (_desired, _running, _pending) = (desired, running, pending);
        _shown = true;
    }

    /// <summary>The current task of a slot went from <paramref name="was"/> to <paramref name="now"/>.</summary>
    public void Step(TaskInfo? was, TaskInfo? now) =>
        Set(_desired, _running + Running(now) - Running(was), _pending + Pending(now) - Pending(was));

    public void Clear() => Set(0, 0, 0);

    private static long Running(TaskInfo? t) => t?.State == TaskState.Running ? 1 : 0;
    private static long Pending(TaskInfo? t) => t?.State is TaskState.New or TaskState.Pending ? 1 : 0;

    private void Add(string state, long delta)
    {
        // The first count adds zeros too: every state has a series from the start (a scrape shows "0 pending").
        if (delta != 0 || !_shown)
            metrics.ServiceReplicas.Add(delta, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("state", state));
    }
}
