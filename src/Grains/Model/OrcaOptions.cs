namespace Orca.Grains.Model;

/// <summary>Cluster-wide timing knobs. Defaults follow Swarm: 5 s heartbeats.</summary>
public sealed record OrcaOptions
{
    /// <summary>How often a node grain pings its host.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Consecutive missed heartbeats after which a node is suspected (no new tasks go there).</summary>
    public int SuspectAfterMissedHeartbeats { get; init; } = 2;

    /// <summary>Time since the last good heartbeat after which a node is declared down and its tasks replaced.</summary>
    public TimeSpan DownAfter { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The scheduler waits this long after the first pending task to collect a batch.</summary>
    public TimeSpan SchedulerBatchDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>A service coalesces task notifications for this long before it reconciles.</summary>
    public TimeSpan ReconcileDebounce { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Period of the keep-alive reminders of the cluster, node and service grains: how long a grain whose silo
    /// died may stay away before it is activated elsewhere (Orleans' minimum reminder period is one minute).</summary>
    public TimeSpan KeepAlivePeriod { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Grace period given to a container between stop and kill.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

}
