using Orca.Grains.Grains;
using Orca.Grains.Runtime;
using Orca.Simulator.Engine;

namespace Orca.Simulator.Hosts;

/// <summary>
/// A simulated container host behind <see cref="IContainerDriver"/>. It can crash (containers gone; images stay on
/// disk), be partitioned from the control plane (containers keep running, calls fail after a timeout), or be slow
/// (every delay multiplied). Completions are events on the loop, so a seed fixes every outcome.
/// </summary>
public sealed class SimHost : IContainerDriver
{
    private readonly EventLoop _loop;
    private readonly SimRandom _random;
    private readonly SimHostOptions _options;
    private readonly SimCluster _cluster;
    private readonly HashSet<string> _images = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimContainer> _containers = new(StringComparer.Ordinal);
    private int _incarnation;
    private int _streamEpoch;
    private long _nextContainer;

    internal SimHost(string nodeId, EventLoop loop, SimRandom random, SimHostOptions options, SimCluster cluster)
    {
        NodeId = nodeId;
        _loop = loop;
        _random = random;
        _options = options;
        _cluster = cluster;
    }

    public string NodeId { get; }
    public bool Crashed { get; private set; }
    public bool Partitioned { get; private set; }
    public double SlowFactor { get; private set; } = 1;
    public bool Reachable => !Crashed && !Partitioned;

    /// <summary>Virtual time (ticks) since when the host has been reachable.</summary>
    public long ReachableSinceTicks { get; private set; }
    public int RunningContainers => _containers.Values.Count(c => c.Running);

    public void Crash()
    {
        if (Crashed) return;
        Crashed = true;
        _incarnation++;
        _containers.Clear();
    }

    public void Recover()
    {
        if (Crashed) ReachableSinceTicks = _loop.Now;
        Crashed = false;
    }

    /// <summary>Cut off from the control plane or back. Healing reconnects the event stream: events sent meanwhile
    /// are lost, so the incarnation changes.</summary>
    public void Partition(bool partitioned)
    {
        if (Partitioned && !partitioned)
        {
            ReachableSinceTicks = _loop.Now;
            _streamEpoch++;
        }
        Partitioned = partitioned;
    }
    public void Slow(double factor) => SlowFactor = factor;

    /// <summary>Boot count and event-stream epoch: changes after a crash (containers gone) or a partition (events lost).</summary>
    public Task<string> PingAsync() =>
        Complete(_options.ApiLatencyMin, _options.ApiLatencyMax, static host => $"{host._incarnation}.{host._streamEpoch}");

    public Task<string> RunContainerAsync(ContainerSpec spec, IProgress<PullProgress>? pull = null)
    {
        if (!Reachable) return Unreachable<string>();
        long delay = Draw(_options.ApiLatencyMin, _options.ApiLatencyMax) + Draw(_options.StartDelayMin, _options.StartDelayMax);
        if (!_images.Contains(spec.Image)) delay += Draw(_options.PullDelayMin, _options.PullDelayMax);
        var tcs = new TaskCompletionSource<string>();
        int incarnation = _incarnation;
        _loop.ScheduleAfter(delay, _ =>
        {
            if (Crashed || _incarnation != incarnation) { tcs.SetException(UnreachableError()); return; }
            _images.Add(spec.Image);
            var id = $"c{++_nextContainer:x}";
            var container = new SimContainer(id, spec.TaskId, spec.Service, spec.Image);
            _containers.Add(id, container);
            ScheduleExit(container);
            if (spec.Health is { Checks: true } check) ScheduleHealth(container, check);
            if (Partitioned) { tcs.SetException(UnreachableError()); return; } // started, but the answer is lost
            tcs.SetResult(id);
        }, null);
        return tcs.Task;
    }

    private void ScheduleExit(SimContainer container)
    {
        if (_cluster.FailureModelOf(container.Service, container.Image) is not { MeanTimeToExit: { } mean } model) return;
        long after = _random.Exponential(mean.Ticks);
        int incarnation = _incarnation;
        _loop.ScheduleAfter(after, _ =>
        {
            if (_incarnation != incarnation || !container.Running) return;
            container.Running = false;
            container.ExitCode = model.ExitCode;
            if (Partitioned) return; // the event stream is cut; the node grain finds out when it lists containers
            _cluster.Runtime.GetGrain<INodeGrain>(NodeId)
                .ContainerEventAsync(new ContainerEvent(container.Id, container.TaskId, ContainerEventKind.Died, model.ExitCode));
        }, null);
    }

    /// <summary>The check's verdicts as Docker gives them: healthy at the first pass, unhealthy after <c>Retries</c>
    /// failures in a row once the check starts failing (never before the start period ends).</summary>
    private void ScheduleHealth(SimContainer container, Orca.Grains.Model.HealthCheck check)
    {
        var model = _cluster.FailureModelOf(container.Service, container.Image);
        var interval = check.Interval;
        var failsFrom = model?.UnhealthyAfter;
        var healthy = model?.HealthyAfter ?? interval;
        if (failsFrom is null || failsFrom > healthy) Verdict(container, healthy, true);
        if (failsFrom is { } from)
        {
            var unhealthy = from + interval * check.Retries;
            if (unhealthy < check.StartPeriod) unhealthy = check.StartPeriod + interval * check.Retries;
            Verdict(container, unhealthy, false);
        }
    }

    private void Verdict(SimContainer container, TimeSpan after, bool healthy)
    {
        int incarnation = _incarnation;
        _loop.ScheduleAfter(after.Ticks, _ =>
        {
            if (_incarnation != incarnation || !container.Running || container.Healthy == healthy) return;
            container.Healthy = healthy;
            if (Partitioned) return; // the node grain finds out when it lists containers
            _cluster.Runtime.GetGrain<INodeGrain>(NodeId).ContainerEventAsync(new ContainerEvent(container.Id, container.TaskId,
                healthy ? ContainerEventKind.Healthy : ContainerEventKind.Unhealthy, 0));
        }, null);
    }

    public Task StopContainerAsync(string containerId, TimeSpan grace)
    {
        if (!Reachable) return Unreachable<object?>();
        long delay = Draw(_options.ApiLatencyMin, _options.ApiLatencyMax) + Draw(_options.StopDelayMin, _options.StopDelayMax);
        return Complete<object?>(delay, host =>
        {
            if (host._containers.TryGetValue(containerId, out var c) && c.Running)
            {
                c.Running = false;
                c.ExitCode = 143; // SIGTERM
            }
            return null;
        });
    }

    public Task RemoveContainerAsync(string containerId) =>
        Complete<object?>(_options.ApiLatencyMin, _options.ApiLatencyMax, host => host._containers.Remove(containerId));

    /// <summary>Capacity reported to a node that joins without giving its own.</summary>
    public Orca.Grains.Model.Resources Capacity { get; set; } = new(4000, 8L << 30);

    public Task<HostFacts> DescribeAsync() =>
        Complete(_options.ApiLatencyMin, _options.ApiLatencyMax, static host => new HostFacts(host.Capacity.CpuMillis,
            host.Capacity.MemoryBytes, host.NodeId, "linux", "x86_64"));

    /// <summary>The simulated registry knows every image: a scenario's images are always pullable.</summary>
    public Task ResolveImageAsync(string image) =>
        Complete<object?>(_options.ApiLatencyMin, _options.ApiLatencyMax, static _ => null);

    public Task<IReadOnlyList<ContainerInfo>> ListContainersAsync() =>
        Complete<IReadOnlyList<ContainerInfo>>(_options.ApiLatencyMin, _options.ApiLatencyMax, static host =>
            host._containers.Values.OrderBy(c => c.Id, StringComparer.Ordinal)
                .Select(c => new ContainerInfo(c.Id, c.TaskId, c.Service, c.Running, c.ExitCode, c.Healthy)).ToList());

    /// <summary>Ground truth for checks: tasks with a running container on this host.</summary>
    public IEnumerable<string> RunningTasks() => _containers.Values.Where(c => c.Running).Select(c => c.TaskId);

    private Task<T> Complete<T>(TimeSpan min, TimeSpan max, Func<SimHost, T> result) => Complete(Draw(min, max), result);

    private Task<T> Complete<T>(long delay, Func<SimHost, T> result)
    {
        if (!Reachable) return Unreachable<T>();
        var tcs = new TaskCompletionSource<T>();
        int incarnation = _incarnation;
        _loop.ScheduleAfter(delay, _ =>
        {
            if (!Reachable || _incarnation != incarnation) tcs.SetException(UnreachableError());
            else tcs.SetResult(result(this));
        }, null);
        return tcs.Task;
    }

    private Task<T> Unreachable<T>()
    {
        var tcs = new TaskCompletionSource<T>();
        _loop.ScheduleAfter(_options.UnreachableTimeout.Ticks, _ => tcs.SetException(UnreachableError()), null);
        return tcs.Task;
    }

    private ContainerDriverException UnreachableError() => new(DriverFailure.Unreachable, $"host {NodeId} did not answer");

    private long Draw(TimeSpan min, TimeSpan max) => (long)(_random.Uniform(min.Ticks, max.Ticks) * SlowFactor);

    private sealed class SimContainer(string id, string taskId, string service, string image)
    {
        public string Image { get; } = image;
        public bool? Healthy { get; set; }
        public string Id { get; } = id;
        public string TaskId { get; } = taskId;
        public string Service { get; } = service;
        public bool Running { get; set; } = true;
        public int? ExitCode { get; set; }
    }
}
