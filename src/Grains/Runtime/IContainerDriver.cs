using Orca.Grains.Model;
using Orleans;

namespace Orca.Grains.Runtime;

/// <summary>One container host as a node grain sees it: the Docker Engine API in the silo,
/// a simulated host in the simulator. Every call may fail with <see cref="ContainerDriverException"/>.</summary>
public interface IContainerDriver
{
    /// <summary>Answers when the host is reachable (throws <see cref="ContainerDriverException"/>, Unreachable, otherwise)
    /// with its incarnation: a token that changes whenever the host may have lost containers or events without
    /// telling (a reboot or engine restart, a break in its event stream), so the caller knows to look again.</summary>
    Task<string> PingAsync();

    /// <summary>Pulls the image if the host lacks it (telling <paramref name="pull"/> how the pull goes), creates and
    /// starts the container; returns its id.</summary>
    Task<string> RunContainerAsync(ContainerSpec spec, IProgress<PullProgress>? pull = null);

    Task StopContainerAsync(string containerId, TimeSpan grace);

    Task RemoveContainerAsync(string containerId);

    /// <summary>The containers this host runs that carry Orca's labels.</summary>
    Task<IReadOnlyList<ContainerInfo>> ListContainersAsync();

    /// <summary>Answers when the host has the image or its registry knows it (a pull would succeed, nothing is pulled
    /// yet); throws <see cref="ContainerDriverException"/> (<see cref="DriverFailure.ImageNotFound"/>) when neither.</summary>
    Task ResolveImageAsync(string image);
}

/// <summary>What a host reports of itself when it joins: its capacity and what it runs on.</summary>
public sealed record HostFacts(long CpuMillis, long MemoryBytes, string Hostname, string Os, string Arch,
    IReadOnlyDictionary<string, string>? EngineLabels = null, string? Address = null)
{
    public NodeDescription Describe() => new(Hostname, Os, Arch, EngineLabels ?? new Dictionary<string, string>(), Address);
}

/// <summary>What to run: the labels <c>orca.service</c>, <c>orca.task</c>, <c>orca.node</c> let a restarted
/// control plane adopt running containers instead of starting duplicates.</summary>
public sealed record ContainerSpec(
    string TaskId,
    string Service,
    string Node,
    string Image,
    long CpuMillis,
    long MemoryBytes,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<int> HostPorts,
    Orca.Grains.Model.HealthCheck? Health = null,
    Orca.Grains.Model.NetworkMode Network = Orca.Grains.Model.NetworkMode.Default);

public enum PullStage { Started, Progress, Done, Failed }

/// <summary>How an image pull goes: bytes fetched of the bytes known so far (over all layers), and what the
/// registry or host last said.</summary>
[GenerateSerializer, Alias("orca.PullProgress")]
public sealed record PullProgress([property: Id(0)] string Image, [property: Id(1)] PullStage Stage, [property: Id(2)] long Current,
    [property: Id(3)] long Total, [property: Id(4)] string Message);

/// <summary>A container as its host lists it; <see cref="ExitCode"/> is set once it has exited.</summary>
/// <param name="Healthy">Its health check's verdict: true healthy, false unhealthy, null none yet (or no check).</param>
public sealed record ContainerInfo(string ContainerId, string TaskId, string Service, bool Running, int? ExitCode = null, bool? Healthy = null);

public enum DriverFailure { Unreachable, ImageNotFound, Failed }

public class ContainerDriverException(DriverFailure failure, string message) : Exception(message)
{
    public DriverFailure Failure { get; } = failure;
}

/// <summary>Resolves the driver for a node, given the endpoint the node was registered with.</summary>
public interface IContainerDriverFactory
{
    IContainerDriver ForNode(string nodeId, string? endpoint);

    /// <summary>Asks the host at an endpoint about itself before a node is registered with it (nothing is kept: no
    /// driver, no event stream). Throws <see cref="ArgumentException"/> for an endpoint that is not one, and
    /// <see cref="ContainerDriverException"/> when the host does not answer.</summary>
    Task<HostFacts> DescribeHostAsync(string nodeId, string endpoint);
}
