using Orca.Grains.Runtime;
using Orca.Simulator.Engine;
using Orca.Simulator.Runtime;

namespace Orca.Simulator.Hosts;

/// <summary>The simulated hosts of a run, by node id, and the failure models scenarios give services.</summary>
public sealed class SimCluster(EventLoop loop, SimRandom random, SimHostOptions options) : IContainerDriverFactory
{
    private readonly Dictionary<string, SimHost> _hosts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ContainerFailureModel> _failures = new(StringComparer.Ordinal);
    private readonly SimRandom _random = random.Fork("hosts");

    public SimHostOptions Options { get; set; } = options;
    public SimGrainRuntime Runtime { get; set; } = null!;
    public IReadOnlyDictionary<string, SimHost> Hosts => _hosts;

    /// <param name="capacity">What the host reports when a node joins without giving its capacity.</param>
    public SimHost AddHost(string nodeId, Orca.Grains.Model.Resources? capacity = null)
    {
        if (!_hosts.TryGetValue(nodeId, out var host))
            _hosts[nodeId] = host = new SimHost(nodeId, loop, _random.Fork(nodeId), Options, this);
        if (capacity is { } c) host.Capacity = c;
        return host;
    }

    /// <summary>A simulated host answers about itself; an endpoint with no host behind it is unreachable.</summary>
    public Task<HostFacts> DescribeHostAsync(string nodeId, string endpoint) =>
        _hosts.TryGetValue(nodeId, out var host) ? host.DescribeAsync()
            : Task.FromException<HostFacts>(new ContainerDriverException(DriverFailure.Unreachable, $"no simulated host '{nodeId}'"));

    public IContainerDriver ForNode(string nodeId, string? endpoint) =>
        _hosts.TryGetValue(nodeId, out var host) ? host : throw new KeyNotFoundException($"no simulated host '{nodeId}'");

    /// <summary>How containers of one image of a service fail (a bad version); null: they do not.</summary>
    public void SetFailureModel(string service, string image, ContainerFailureModel? model)
    {
        if (model is null) _failures.Remove(Key(service, image)); else _failures[Key(service, image)] = model;
    }

    public ContainerFailureModel? FailureModelOf(string service, string image) => _failures.GetValueOrDefault(Key(service, image));

    private static string Key(string service, string image) => service + "\n" + image;
}
