using System.Collections.Concurrent;
using System.Reflection;
using Orca.Grains.Model;
using Orca.Grains.Runtime;

namespace Orca.Silo.Runtime;

/// <summary>
/// Hosts the grain classes on real time: one activation per grain, created on first call; calls become turns in
/// the activation's mailbox and run one at a time (an await inside a turn does not let the next one in).
/// One-way calls return at once. Idle activations without timers are deactivated by <see cref="CollectIdleAsync"/>.
/// </summary>
public sealed class SiloGrainRuntime(GrainTypeRegistry registry, GrainServices services, IEventSink events, OrcaOptions options, TimeProvider time)
    : IGrainFactory, IAsyncDisposable
{
    private readonly ConcurrentDictionary<(Type, string), SiloActivation> _activations = new();
    private readonly ConcurrentDictionary<MethodInfo, (bool OneWay, Type? Result)> _plans = new();

    public GrainTypeRegistry Registry { get; } = registry;
    public GrainServices Services { get; } = services;
    public IEventSink Events { get; } = events;
    public OrcaOptions Options { get; } = options;
    public TimeProvider Time { get; } = time;
    public int ActivationCount => _activations.Count;
    public long Faults;

    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey
    {
        var proxy = DispatchProxy.Create<TGrain, SiloGrainProxy>();
        var p = (SiloGrainProxy)(object)proxy;
        p.Runtime = this;
        p.Interface = typeof(TGrain);
        p.Key = key;
        return proxy;
    }

    internal object Send(Type grainInterface, string key, MethodInfo method, object?[] args)
    {
        var (oneWay, result) = _plans.GetOrAdd(method, m =>
        {
            bool ow = m.GetCustomAttribute<OneWayAttribute>() is not null;
            var rt = m.ReturnType;
            return (ow, rt.IsGenericType ? rt.GetGenericArguments()[0] : null);
        });
        var activation = _activations.GetOrAdd((grainInterface, key), k => new SiloActivation(this, k.Item1, k.Item2));
        var call = CallFactory.Create(result, method, args);
        activation.Enqueue(call);
        return oneWay ? Task.CompletedTask : call.ReplyTask;
    }

    internal void Remove(SiloActivation activation) => _activations.TryRemove(new KeyValuePair<(Type, string), SiloActivation>((activation.Interface, activation.Key), activation));

    /// <summary>Deactivates activations idle for longer than <paramref name="idle"/> that have no timer running.</summary>
    public async Task<int> CollectIdleAsync(TimeSpan idle)
    {
        int collected = 0;
        foreach (var a in _activations.Values)
            if (await a.TryDeactivateIfIdleAsync(idle)) collected++;
        return collected;
    }

    public (string Type, string Key)[] Activations() =>
        _activations.Keys.Select(k => (k.Item1.Name, k.Item2)).OrderBy(k => k.Name).ThenBy(k => k.Item2, StringComparer.Ordinal).ToArray();

    public async ValueTask DisposeAsync()
    {
        foreach (var a in _activations.Values) await a.StopAsync();
    }
}

/// <summary>The grain reference handed to callers.</summary>
public class SiloGrainProxy : DispatchProxy
{
    internal SiloGrainRuntime Runtime = null!;
    internal Type Interface = null!;
    internal string Key = null!;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => Runtime.Send(Interface, Key, targetMethod!, args ?? []);
}
