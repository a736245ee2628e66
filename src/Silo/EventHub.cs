using System.Threading.Channels;
using Orca.Grains.Model;
using Orca.Grains.Reconciliation;
using Orca.Grains.Runtime;

namespace Orca.Silo;

/// <summary>An event as the API shows it, numbered so clients can ask for what came after.</summary>
public sealed record EventRecord(long Seq, DateTimeOffset Time, string Kind, string Subject, string? Service, string? Node, string? State, string? Message);

/// <summary>Keeps the last events in a ring and hands new ones to followers (long-poll and server-sent events).</summary>
public sealed class EventHub : IEventSink
{
    private const int Capacity = 10_000;
    private readonly LinkedList<EventRecord> _recent = new();
    private readonly List<Channel<EventRecord>> _followers = [];
    private readonly Lock _lock = new();
    private long _seq;

    public long Count => Interlocked.Read(ref _seq);

    public void Publish(OrcaEvent e)
    {
        EventRecord record;
        lock (_lock)
        {
            record = Convert(++_seq, e);
            _recent.AddLast(record);
            if (_recent.Count > Capacity) _recent.RemoveFirst();
            foreach (var f in _followers) f.Writer.TryWrite(record);
        }
    }

    private static EventRecord Convert(long seq, OrcaEvent e) => e switch
    {
        TaskEvent t => new(seq, t.Time, "task", t.TaskId, t.Service, t.Node, t.State.Lower(), t.Message),
        NodeEvent n => new(seq, n.Time, "node", n.Node.Id, null, n.Node.Id, $"{n.Status.ToString().ToLowerInvariant()}/{n.Availability.ToString().ToLowerInvariant()}", n.Message),
        ServiceEvent s => new(seq, s.Time, "service", s.Spec.Name, s.Spec.Name, null, s.Change.ToString().ToLowerInvariant(), $"version {s.Version}, replicas {s.Spec.Replicas}"),
        PendingEvent p => new(seq, p.Time, "pending", p.Service, p.Service, null, p.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Reason),
        DeploymentEvent d => new(seq, d.Time, "deployment", d.Deployment.Service, d.Deployment.Service, null, Deployments.StateName(d.Deployment.State),
            $"deployment {d.Deployment.Id}: version {d.Deployment.FromVersion} → {d.Deployment.ToVersion}, {d.Deployment.Updated} updated, {d.Deployment.Healthy} healthy, {d.Deployment.Failed} failed; {d.Deployment.Message}"),
        ImageEvent i => new(seq, i.Time, "image", i.Image, null, i.Node, i.Stage.ToString().ToLowerInvariant(), i.Message),
        _ => new(seq, e.Time, "other", "", null, null, null, e.ToString()),
    };

    public List<EventRecord> Since(long seq)
    {
        lock (_lock) return _recent.Where(r => r.Seq > seq).ToList();
    }

    /// <summary>Events after <paramref name="seq"/>, then every new one, until cancelled.</summary>
    public async IAsyncEnumerable<EventRecord> FollowAsync(long seq, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateBounded<EventRecord>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest });
        List<EventRecord> backlog;
        lock (_lock)
        {
            backlog = _recent.Where(r => r.Seq > seq).ToList();
            _followers.Add(channel);
        }
        try
        {
            foreach (var r in backlog) yield return r;
            await foreach (var r in channel.Reader.ReadAllAsync(ct)) yield return r;
        }
        finally
        {
            lock (_lock) _followers.Remove(channel);
        }
    }
}
