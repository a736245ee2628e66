using System.Globalization;
using System.Net;
using System.Text.Json;
using HealthCheck = Orca.Grains.Model.HealthCheck;
using NetworkMode = Orca.Grains.Model.NetworkMode;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orca.Grains.Runtime;
using ContainerSpec = Orca.Grains.Runtime.ContainerSpec;

namespace Orca.Silo.Docker;

/// <summary>
/// One node's Docker host as an <see cref="IContainerDriver"/>, through Docker.DotNet. Containers get the labels
/// orca.service, orca.task and orca.node and the name orca-TASKID, so a restarted silo finds and adopts them. Docker's
/// own restart policy is off: restarts are Orca's. The incarnation is the daemon's id plus how often the event stream
/// had to reconnect.
/// </summary>
public sealed class DockerDriver(string nodeId, string endpoint, IDockerClient client, Action<string>? log = null, HealthProbes? probes = null)
    : IContainerDriver, IDisposable
{
    public const string ServiceLabel = "orca.service", TaskLabel = "orca.task", NodeLabel = "orca.node";

    /// <summary>The HTTP or TCP check Orca makes of the container (JSON), so that a silo adopting it probes it again.</summary>
    public const string HealthLabel = "orca.health";
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);
    private string? _daemonId;
    private int _streamEpoch;

    public IDockerClient Client { get; } = client;

    /// <summary>Orca's own HTTP and TCP checks of this host's containers (none when the driver was made without).</summary>
    public HealthProbes? Probes { get; } = probes;
    public string Endpoint { get; } = endpoint;

    /// <summary>Bumped by the event watcher whenever the stream was cut (events may have been missed).</summary>
    public void StreamReconnected() => Interlocked.Increment(ref _streamEpoch);

    public async Task<string> PingAsync()
    {
        using var cts = new CancellationTokenSource(PingTimeout);
        try
        {
            await DockerEndpoint.Call(Endpoint, "ping", () => Client.System.PingAsync(cts.Token));
            _daemonId ??= (await DockerEndpoint.Call(Endpoint, "info", () => Client.System.GetSystemInfoAsync(cts.Token))).ID ?? "unknown";
        }
        catch (ContainerDriverException)
        {
            _daemonId = null;
            if (cts.IsCancellationRequested)
                throw new ContainerDriverException(DriverFailure.Unreachable, $"Docker at {Endpoint} did not answer within {PingTimeout.TotalSeconds:0}s");
            throw;
        }
        return $"{_daemonId}:{Volatile.Read(ref _streamEpoch)}";
    }

    public async Task<string> RunContainerAsync(ContainerSpec spec, IProgress<PullProgress>? pull = null)
    {
        if (!await HasImageAsync(spec.Image)) await PullAsync(spec.Image, pull);
        var name = $"orca-{spec.TaskId}";
        string id;
        try
        {
            id = await Create(name, spec);
        }
        catch (DockerCallException e) when (e.Status == HttpStatusCode.Conflict)
        {
            await RemoveContainerAsync(name); // a leftover of an earlier attempt for the same task
            id = await Create(name, spec);
        }
        await DockerEndpoint.Call(Endpoint, $"start {id}", () => Client.Containers.StartContainerAsync(id, new ContainerStartParameters()));
        if (spec.Health is { ByOrca: true } check) Probes?.Watch(id, spec.TaskId, check);
        return id;
    }

    private async Task<string> Create(string name, ContainerSpec spec) =>
        (await DockerEndpoint.Call(Endpoint, $"create {name}", () => Client.Containers.CreateContainerAsync(Parameters(name, spec)))).ID;

    private async Task<bool> HasImageAsync(string image)
    {
        try
        {
            await DockerEndpoint.Call(Endpoint, $"inspect image {image}", () => Client.Images.InspectImageAsync(image));
            return true;
        }
        catch (ContainerDriverException e) when (e.Failure == DriverFailure.ImageNotFound || e is DockerCallException { Status: HttpStatusCode.NotFound })
        {
            return false;
        }
    }

    /// <summary>Pulls an image: each new status line into the silo log, the pull's course (started, each quarter of
    /// the bytes, done or failed) to <paramref name="pull"/>; an error in the stream fails the pull.</summary>
    private async Task PullAsync(string image, IProgress<PullProgress>? pull)
    {
        var (name, tag) = SplitImage(image);
        var course = new PullCourse(image, pull);
        string? last = null, error = null;
        log?.Invoke($"{nodeId}: pulling {image}");
        var progress = new Reporter<JSONMessage>(m =>
        {
            if (m.Error?.Message is { Length: > 0 } e) error = e;
            if (m.Status is { } status && status != last) log?.Invoke($"{nodeId}: {image}: {status}");
            last = m.Status ?? last;
            course.Layer(m.ID, m.Status, m.Progress?.Current ?? 0, m.Progress?.Total ?? 0);
        });
        try
        {
            await DockerEndpoint.Call(Endpoint, $"pull {image}", () =>
                Client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = name, Tag = tag }, null, progress));
        }
        catch (DockerCallException e)
        {
            course.Failed(e.Message);
            throw new ContainerDriverException(DriverFailure.ImageNotFound, e.Message); // "pull IMAGE: why"
        }
        if (error is not null)
        {
            course.Failed(error);
            throw new ContainerDriverException(DriverFailure.ImageNotFound, $"image {image}: {error}");
        }
        course.Done(last ?? "pulled");
    }

    private CreateContainerParameters Parameters(string name, ContainerSpec spec)
    {
        var ports = spec.HostPorts.Select(p => $"{p.ToString(CultureInfo.InvariantCulture)}/tcp").ToList();
        var labels = new Dictionary<string, string> { [ServiceLabel] = spec.Service, [TaskLabel] = spec.TaskId, [NodeLabel] = nodeId };
        if (spec.Health is { ByOrca: true } probe) labels[HealthLabel] = JsonSerializer.Serialize(probe);
        return new CreateContainerParameters
        {
            Name = name,
            Image = spec.Image,
            Env = spec.Env.Select(kv => $"{kv.Key}={kv.Value}").ToList(),
            Labels = labels,
            Cmd = spec.Command.Count > 0 ? spec.Command.ToList() : null!, // null: the image's own command
            ExposedPorts = ports.ToDictionary(p => p, _ => new EmptyStruct()),
            // Docker runs command checks itself (HEALTHCHECK) and reports each verdict as a health_status event; with
            // an HTTP or TCP check (Orca's) or NONE the image's own check is turned off.
            Healthcheck = spec.Health switch
            {
                { ByOrca: true } => new HealthcheckConfig { Test = ["NONE"] },
                { } h => new HealthcheckConfig { Test = h.Test.ToList(), Interval = h.Interval, Timeout = h.Timeout, StartPeriod = h.StartPeriod, Retries = h.Retries },
                null => null!,
            },
            HostConfig = new HostConfig
            {
                NanoCPUs = spec.CpuMillis * 1_000_000,
                Memory = spec.MemoryBytes,
                // On the host's network the ports are the host's already: Docker publishes nothing (and warns if asked).
                NetworkMode = spec.Network switch { NetworkMode.Host => "host", NetworkMode.None => "none", _ => null! },
                PortBindings = spec.Network == NetworkMode.Default
                    ? ports.ToDictionary(p => p, p => (IList<PortBinding>)[new PortBinding { HostPort = p[..p.IndexOf('/')] }])
                    : null!,
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No },
            },
        };
    }

    public Task StopContainerAsync(string containerId, TimeSpan grace)
    {
        Probes?.Forget(containerId);
        return DockerEndpoint.Call(Endpoint, $"stop {containerId}", () => Client.Containers.StopContainerAsync(containerId,
            new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling(grace.TotalSeconds) }));
    }

    public async Task RemoveContainerAsync(string containerId)
    {
        Probes?.Forget(containerId);
        try
        {
            await DockerEndpoint.Call(Endpoint, $"remove {containerId}", () => Client.Containers.RemoveContainerAsync(containerId,
                new ContainerRemoveParameters { Force = true, RemoveVolumes = true }));
        }
        catch (DockerCallException e) when (e.Status == HttpStatusCode.NotFound)
        {
            // already gone
        }
    }

    public async Task<IReadOnlyList<ContainerInfo>> ListContainersAsync()
    {
        var list = await DockerEndpoint.Call(Endpoint, "list containers", () => Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{NodeLabel}={nodeId}"] = true } },
        }));
        var result = new List<ContainerInfo>();
        foreach (var c in list)
        {
            int? exit = null; // null also for "created": not started yet
            if (c.State is "exited" or "dead")
                exit = (int)((await DockerEndpoint.Call(Endpoint, $"inspect {c.ID}", () => Client.Containers.InspectContainerAsync(c.ID))).State?.ExitCode ?? 0);
            var labels = c.Labels ?? new Dictionary<string, string>();
            var task = labels.TryGetValue(TaskLabel, out var t) ? t : "";
            bool? healthy = c.Status switch // "Up 5 seconds (healthy)"; API 1.41 has no health field in the list
            {
                { } status when status.EndsWith("(healthy)", StringComparison.Ordinal) => true,
                { } status when status.EndsWith("(unhealthy)", StringComparison.Ordinal) => false,
                _ => null,
            };
            if (labels.TryGetValue(HealthLabel, out var probe) && Probes is { } probes)
            {
                if (c.State != "running") probes.Forget(c.ID);
                else if (!probes.Probes(c.ID) && ReadProbe(probe) is { } check) probes.Watch(c.ID, task, check); // adopted
                healthy = probes.Verdict(c.ID);
            }
            result.Add(new ContainerInfo(c.ID, task, labels.TryGetValue(ServiceLabel, out var s) ? s : "", c.State == "running", exit, healthy));
        }
        return result;
    }

    private HealthCheck? ReadProbe(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<HealthCheck>(json) is { ByOrca: true } check ? check : null;
        }
        catch (JsonException e)
        {
            log?.Invoke($"{nodeId}: a container's {HealthLabel} label is not a health check ({e.Message}); it is not probed");
            return null;
        }
    }

    public async Task ResolveImageAsync(string image)
    {
        if (await HasImageAsync(image)) return;
        try
        {
            await DockerEndpoint.Call(Endpoint, $"image {image}", () => Client.Distribution.InspectAsync(image));
        }
        catch (DockerCallException e)
        {
            throw new ContainerDriverException(DriverFailure.ImageNotFound, e.Message);
        }
    }

    /// <summary>The host's capacity and platform, from the daemon's /info.</summary>
    public static async Task<HostFacts> DescribeAsync(string endpoint, IDockerClient client)
    {
        var info = await DockerEndpoint.Call(endpoint, "info", () => client.System.GetSystemInfoAsync());
        // Engine labels are "key=value" strings in the daemon's configuration ("labels" in daemon.json).
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var l in info.Labels ?? [])
        {
            int eq = l.IndexOf('=');
            if (eq > 0) labels[l[..eq]] = l[(eq + 1)..];
        }
        return new HostFacts(Math.Max(1, info.NCPU) * 1000, info.MemTotal > 0 ? info.MemTotal : 1L << 30, info.Name ?? "",
            info.OSType ?? "", info.Architecture ?? "", labels, DockerEndpoint.NodeAddress(endpoint));
    }

    public static (string Name, string Tag) SplitImage(string image)
    {
        int slash = image.LastIndexOf('/');
        int colon = image.LastIndexOf(':');
        return colon > slash ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    public void Dispose()
    {
        Probes?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(2));
        Client.Dispose();
    }
}
