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

    public SimHost AddHost(string nodeId)
    {
        if (!_hosts.TryGetValue(nodeId, out var host))
            _hosts[nodeId] = host = new SimHost(nodeId, loop, _random.Fork(nodeId), Options, this);
        return host;
    }

    public IContainerDriver ForNode(string nodeId, string? endpoint) =>
        _hosts.TryGetValue(nodeId, out var host) ? host : throw new KeyNotFoundException($"no simulated host '{nodeId}'");

    public void SetFailureModel(string service, ContainerFailureModel? model)
    {
        if (model is null) _failures.Remove(service); else _failures[service] = model;
    }

    public ContainerFailureModel? FailureModelOf(string service) => _failures.GetValueOrDefault(service);
}
