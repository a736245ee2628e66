namespace Orca.Simulator.Hosts;

/// <summary>How simulated hosts behave: delays are drawn uniformly from [min, max] per operation.</summary>
public sealed record SimHostOptions
{
    /// <summary>Round trip from a node grain to its host's engine API.</summary>
    public TimeSpan ApiLatencyMin { get; init; } = TimeSpan.FromMilliseconds(0.5);
    public TimeSpan ApiLatencyMax { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>How long a call to an unreachable host takes to fail.</summary>
    public TimeSpan UnreachableTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Creating and starting a container whose image is present.</summary>
    public TimeSpan StartDelayMin { get; init; } = TimeSpan.FromMilliseconds(300);
    public TimeSpan StartDelayMax { get; init; } = TimeSpan.FromMilliseconds(1200);

    /// <summary>Pulling an image the host does not have yet (once per image per host).</summary>
    public TimeSpan PullDelayMin { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan PullDelayMax { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Stopping a container (it honours SIGTERM quickly).</summary>
    public TimeSpan StopDelayMin { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan StopDelayMax { get; init; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>How containers of one image of a service fail in a scenario: exit after an exponential time with this
/// mean (<see cref="MeanTimeToExit"/> null: they do not exit); and, for a service with a health check, when its check
/// first passes (<see cref="HealthyAfter"/>; default: one interval after the start) and when it starts failing for
/// good (<see cref="UnhealthyAfter"/>; then unhealthy after the check's retries, as Docker counts them).</summary>
public sealed record ContainerFailureModel(TimeSpan? MeanTimeToExit, int ExitCode, TimeSpan? HealthyAfter = null, TimeSpan? UnhealthyAfter = null);
