using System.Net;
using System.Text.Json.Nodes;
using Orca.Grains.Runtime;

namespace Orca.Silo.Docker;

/// <summary>
/// One node's Docker host as an <see cref="IContainerDriver"/>. Containers get the labels orca.service, orca.task and
/// orca.node and the name orca-TASKID, so a restarted silo finds and adopts them. Docker's own restart policy is
/// off: restarts are Orca's. The incarnation is the daemon's id plus how often the event stream had to reconnect.
/// </summary>
public sealed class DockerDriver(string nodeId, DockerClient client, Action<string>? log = null) : IContainerDriver, IDisposable
{
    public const string ServiceLabel = "orca.service", TaskLabel = "orca.task", NodeLabel = "orca.node";
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);
    private string? _daemonId;
    private int _streamEpoch;

    public DockerClient Client { get; } = client;

    /// <summary>Bumped by the event watcher whenever the stream was cut (events may have been missed).</summary>
    public void StreamReconnected() => Interlocked.Increment(ref _streamEpoch);

    public async Task<string> PingAsync()
    {
        using var cts = new CancellationTokenSource(PingTimeout);
        try
        {
            await Client.PingAsync(cts.Token);
            _daemonId ??= (await Client.InfoAsync(cts.Token))["ID"]?.GetValue<string>() ?? "unknown";
        }
        catch (OperationCanceledException)
        {
            _daemonId = null;
            throw new ContainerDriverException(DriverFailure.Unreachable, $"Docker at {Client.Endpoint} did not answer within {PingTimeout.TotalSeconds:0}s");
        }
        catch (ContainerDriverException)
        {
            _daemonId = null;
            throw;
        }
        return $"{_daemonId}:{Volatile.Read(ref _streamEpoch)}";
    }

    public async Task<string> RunContainerAsync(ContainerSpec spec)
    {
        if (!await Client.ImageExistsAsync(spec.Image))
        {
            string? last = null;
            log?.Invoke($"{nodeId}: pulling {spec.Image}");
            await Client.PullAsync(spec.Image, status =>
            {
                if (status != last) log?.Invoke($"{nodeId}: {spec.Image}: {status}");
                last = status;
            });
        }
        var name = $"orca-{spec.TaskId}";
        string id;
        try
        {
            id = await Client.CreateContainerAsync(name, Body(spec));
        }
        catch (DockerApiException e) when (e.Status == HttpStatusCode.Conflict)
        {
            await Client.RemoveAsync(name); // a leftover of an earlier attempt for the same task
            id = await Client.CreateContainerAsync(name, Body(spec));
        }
        await Client.StartAsync(id);
        return id;
    }

    private JsonObject Body(ContainerSpec spec)
    {
        var env = new JsonArray(spec.Env.Select(kv => JsonValue.Create($"{kv.Key}={kv.Value}")).ToArray<JsonNode?>());
        var ports = new JsonObject();
        var bindings = new JsonObject();
        foreach (var p in spec.HostPorts)
        {
            ports[$"{p}/tcp"] = new JsonObject();
            bindings[$"{p}/tcp"] = new JsonArray(new JsonObject { ["HostPort"] = p.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        var body = new JsonObject
        {
            ["Image"] = spec.Image,
            ["Env"] = env,
            ["Labels"] = new JsonObject { [ServiceLabel] = spec.Service, [TaskLabel] = spec.TaskId, [NodeLabel] = nodeId },
            ["ExposedPorts"] = ports,
            ["HostConfig"] = new JsonObject
            {
                ["NanoCpus"] = spec.CpuMillis * 1_000_000,
                ["Memory"] = spec.MemoryBytes,
                ["PortBindings"] = bindings,
                ["RestartPolicy"] = new JsonObject { ["Name"] = "no" },
            },
        };
        if (spec.Command.Count > 0) body["Cmd"] = new JsonArray(spec.Command.Select(c => JsonValue.Create(c)).ToArray<JsonNode?>());
        return body;
    }

    public Task StopContainerAsync(string containerId, TimeSpan grace) => Client.StopAsync(containerId, grace);

    public async Task RemoveContainerAsync(string containerId)
    {
        try
        {
            await Client.RemoveAsync(containerId);
        }
        catch (DockerApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            // already gone
        }
    }

    public async Task<IReadOnlyList<ContainerInfo>> ListContainersAsync()
    {
        var list = await Client.ListAsync([$"{NodeLabel}={nodeId}"]);
        var result = new List<ContainerInfo>();
        foreach (var c in list)
        {
            var labels = c!["Labels"]!.AsObject();
            var state = c["State"]?.GetValue<string>();
            bool running = state == "running";
            int? exit = null; // null also for "created": not started yet
            if (state is "exited" or "dead" && await Client.InspectAsync(c["Id"]!.GetValue<string>()) is { } inspect)
                exit = inspect["State"]?["ExitCode"]?.GetValue<int>();
            result.Add(new ContainerInfo(c["Id"]!.GetValue<string>(), labels[TaskLabel]?.GetValue<string>() ?? "",
                labels[ServiceLabel]?.GetValue<string>() ?? "", running, exit));
        }
        return result;
    }

    public async Task ResolveImageAsync(string image)
    {
        if (!await Client.ImageExistsAsync(image)) await Client.RegistryKnowsAsync(image);
    }

    /// <summary>The host's capacity and platform, from the daemon's /info.</summary>
    public static async Task<HostFacts> DescribeAsync(DockerClient client)
    {
        await client.NegotiateAsync();
        var info = await client.InfoAsync();
        return new HostFacts((info["NCPU"]?.GetValue<long>() ?? 1) * 1000, info["MemTotal"]?.GetValue<long>() ?? 1L << 30,
            info["Name"]?.GetValue<string>() ?? "", info["OSType"]?.GetValue<string>() ?? "", info["Architecture"]?.GetValue<string>() ?? "");
    }

    public void Dispose() => Client.Dispose();
}
