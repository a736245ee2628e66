using System.Collections.Concurrent;
using Orca.Grains.Grains;
using Orca.Grains.Runtime;
using Orleans;

namespace Orca.Silo.Docker;

/// <summary>
/// One <see cref="DockerDriver"/> and one event watcher per node, made on first use from the endpoint the node was
/// registered with: unix:///path, tcp://host:port, or tcp://host:port?tlsca=…&amp;tlscert=…&amp;tlskey=… for TLS.
/// </summary>
public sealed class DockerDriverFactory : IContainerDriverFactory, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (string Endpoint, DockerDriver Driver, DockerEventWatcher Watcher)> _drivers = new();

    public IGrainFactory? Grains { get; set; }

    public IContainerDriver ForNode(string nodeId, string? endpoint)
    {
        if (endpoint is null) throw new ContainerDriverException(DriverFailure.Unreachable, $"node {nodeId} has no Docker endpoint");
        var entry = _drivers.AddOrUpdate(nodeId, _ => Create(nodeId, endpoint), (_, old) =>
        {
            if (old.Endpoint == endpoint) return old;
            old.Watcher.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(2));
            old.Driver.Dispose();
            return Create(nodeId, endpoint);
        });
        return entry.Driver;
    }

    private (string, DockerDriver, DockerEventWatcher) Create(string nodeId, string endpoint)
    {
        var grains = Grains ?? throw new InvalidOperationException("the factory needs the grain runtime");
        var probes = new HealthProbes(DockerEndpoint.NodeAddress(endpoint), e => grains.GetGrain<INodeGrain>(nodeId).ContainerEventAsync(e).Ignore());
        var driver = new DockerDriver(nodeId, endpoint, DockerEndpoint.Connect(endpoint), line => Console.WriteLine($"orca: {line}"), probes);
        var watcher = new DockerEventWatcher(nodeId, driver, grains);
        watcher.Start();
        return (endpoint, driver, watcher);
    }

    public async Task<HostFacts> DescribeHostAsync(string nodeId, string endpoint)
    {
        using var client = DockerEndpoint.Connect(endpoint, TimeSpan.FromSeconds(5));
        return await DockerDriver.DescribeAsync(endpoint, client);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, driver, watcher) in _drivers.Values)
        {
            await watcher.DisposeAsync();
            driver.Dispose();
        }
    }
}
