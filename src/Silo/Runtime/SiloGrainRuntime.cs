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
    /// <summary>In a cluster of silos: where grains live. Null for a single silo (every grain is local).</summary>
    public IGrainRouter? Router { get; set; }

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
        var (oneWay, result) = Plan(method);
        if (Router is { } router && router.RemoteOwner(grainInterface, key) is not null)
        {
            var remote = router.ForwardAsync(grainInterface, key, method, args);
            if (oneWay)
            {
                remote.ContinueWith(t => Console.Error.WriteLine($"orca: one-way {grainInterface.Name}/{key}.{method.Name} lost: {t.Exception!.InnerException!.Message}"),
                    TaskContinuationOptions.OnlyOnFaulted);
                return Task.CompletedTask;
            }
            return CallFactory.FromJson(result, remote);
        }
        return Invoke(grainInterface, key, method, args, oneWay, result);
    }

    private (bool OneWay, Type? Result) Plan(MethodInfo method) => _plans.GetOrAdd(method, m =>
        (m.GetCustomAttribute<OneWayAttribute>() is not null, m.ReturnType.IsGenericType ? m.ReturnType.GetGenericArguments()[0] : null));

    /// <summary>Runs a call on this silo's activation of the grain (creating it if needed).</summary>
    public Task InvokeLocal(Type grainInterface, string key, MethodInfo method, object?[] args) =>
        Invoke(grainInterface, key, method, args, oneWay: false, Plan(method).Result);

    private Task Invoke(Type grainInterface, string key, MethodInfo method, object?[] args, bool oneWay, Type? result)
    {
        if (Router?.Fenced == true)
            return Task.FromException(new InvalidOperationException("this silo is fenced: it lost its membership lease and serves no grain"));
        var activation = _activations.GetOrAdd((grainInterface, key), k => new SiloActivation(this, k.Item1, k.Item2));
        var call = CallFactory.Create(result, method, args);
        activation.Enqueue(call);
        return oneWay ? Task.CompletedTask : call.ReplyTask;
    }

    /// <summary>Stops the activations <paramref name="leave"/> selects (grains now owned by another silo, or all when fenced).</summary>
    public async Task<int> DeactivateAsync(Func<Type, string, bool> leave)
    {
        int n = 0;
        foreach (var a in _activations.Values.Where(a => leave(a.Interface, a.Key)).ToList())
        {
            Remove(a);
            await a.StopAsync();
            n++;
        }
        return n;
    }

    /// <summary>A call that was queued on an activation that let go, given to the grain's next activation.</summary>
    internal void Requeue(Type grainInterface, string key, SiloTurn turn) =>
        _activations.GetOrAdd((grainInterface, key), k => new SiloActivation(this, k.Item1, k.Item2)).Enqueue(turn);

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

/// <summary>Where grains live in a cluster of silos.</summary>
public interface IGrainRouter
{
    /// <summary>The silo that owns the grain, or null when it is this one.</summary>
    string? RemoteOwner(Type grainInterface, string key);

    /// <summary>Calls the grain on its owner, failing over to the new owner when that silo does not answer.</summary>
    Task<System.Text.Json.JsonElement?> ForwardAsync(Type grainInterface, string key, MethodInfo method, object?[] args);

    /// <summary>This silo lost its membership lease: it serves no grain until it has rejoined.</summary>
    bool Fenced { get; }
}

/// <summary>The grain reference handed to callers.</summary>
public class SiloGrainProxy : DispatchProxy
{
    internal SiloGrainRuntime Runtime = null!;
    internal Type Interface = null!;
    internal string Key = null!;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => Runtime.Send(Interface, Key, targetMethod!, args ?? []);
}
