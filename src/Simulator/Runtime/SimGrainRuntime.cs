using System.Reflection;
using Orca.Grains.Grains;
using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Simulator.Engine;
using Orleans;
using Orleans.Runtime;

namespace Orca.Simulator.Runtime;

/// <summary>Latency of control-plane messages: a floor plus an exponential tail.</summary>
public sealed record NetworkModel(TimeSpan Min, TimeSpan MeanExtra)
{
    public static readonly NetworkModel Default = new(TimeSpan.FromMilliseconds(0.2), TimeSpan.FromMilliseconds(0.3));
}

/// <summary>
/// A deterministic host of Orleans grain classes on the event loop, implementing Orleans' public abstractions
/// (<see cref="IGrainFactory"/> for string keys, <see cref="IGrainContext"/>, <see cref="IGrainRuntime"/>, the timer
/// and reminder registries, <see cref="IPersistentState{TState}"/>). One activation per key; a call is a message
/// delivered after a sampled network delay, in order per target; its reply is another. With
/// <see cref="SerializeMessages"/> every argument, result and state write round-trips through Orleans' serializer.
/// <para>Silo crashes follow Orleans' rules: a crashed silo's activations are gone with their memory and timers; until
/// the others declare it dead (<see cref="SiloDeadAfter"/>) a request to one of its grains fails with
/// <see cref="SiloUnavailableException"/> and a one-way message to it is lost; requests it was running or had queued
/// fail when it is declared dead; afterwards a call activates the grain on a live silo, from its stored state.
/// Reminders, being stored, survive; the keep-alive reminders of Orca's grains bring them back.</para>
/// </summary>
public sealed class SimGrainRuntime : IGrainFactory
{
    private readonly Dictionary<(Type, string), SimGrainAddress> _addresses = new();
    private readonly Dictionary<MethodInfo, MethodPlan> _plans = new();
    private readonly Dictionary<Type, string> _grainTypes = new();
    private readonly SimRandom _network;
    private readonly SimRandom _grainSeeds;
    private readonly long _latencyMin, _latencyMean;
    private readonly Dictionary<Type, object> _services = new();
    private static readonly SendOrPostCallback DeliverCallback = state =>
    {
        var (runtime, turn, target) = ((SimGrainRuntime, Turn, SimGrainAddress))state!;
        runtime.Deliver(turn, target);
    };
    private static readonly SendOrPostCallback ReplyCallback = state => ((Message)state!).DeliverReply();
    private static readonly SendOrPostCallback FailCallback = state =>
    {
        var (turn, error) = ((Turn, Exception))state!;
        turn.Abandon(error);
    };

    public SimGrainRuntime(EventLoop loop, SimStateStore store, IContainerDriverFactory? drivers, IEventSink events,
        OrcaOptions options, SimRandom random, NetworkModel network, bool serializeMessages)
    {
        Loop = loop;
        Store = store;
        Events = events;
        Time = new SimTimeProvider(loop);
        _network = random.Fork("network");
        _grainSeeds = random.Fork("grains");
        _latencyMin = network.Min.Ticks;
        _latencyMean = network.MeanExtra.Ticks;
        SerializeMessages = serializeMessages;
        _services[typeof(TimeProvider)] = Time;
        _services[typeof(IEventSink)] = events;
        _services[typeof(Orca.Grains.Scheduling.FilterSet)] = Orca.Grains.Scheduling.FilterSet.All;
        _services[typeof(OrcaMetrics)] = new OrcaMetrics(); // recorded, exported by nobody: the simulator reports from its observer
        if (drivers is not null) _services[typeof(IContainerDriverFactory)] = drivers;
        Options = options;
        Timers = new SimTimerRegistry(loop);
        Reminders = new SimReminderTable(this);
        OrleansRuntime = new SimOrleansRuntime(this);
        Activator = new GrainActivator(new ServiceMap(_services), store);
    }

    public EventLoop Loop { get; }
    public SimStateStore Store { get; }
    public IEventSink Events { get; }
    public TimeProvider Time { get; }
    public bool SerializeMessages { get; }
    public long MessagesSent { get; private set; }
    public int Activations { get; private set; }

    /// <summary>Messages lost because their target's silo was dead (one-way), or answered with
    /// <see cref="SiloUnavailableException"/> (requests).</summary>
    public long MessagesLost { get; private set; }

    public OrcaOptions Options
    {
        get => (OrcaOptions)_services[typeof(OrcaOptions)];
        set => _services[typeof(OrcaOptions)] = value;
    }

    internal SimTimerRegistry Timers { get; }
    internal SimReminderTable Reminders { get; }
    internal SimOrleansRuntime OrleansRuntime { get; }
    internal GrainActivator Activator { get; }

    /// <summary>A service for grain constructors (replaces one of the same type).</summary>
    public void AddService<T>(T service) where T : class => _services[typeof(T)] = service;

    /// <summary>Grain classes outside Orca's own assembly (a test's grains).</summary>
    public void AddGrainAssembly(Assembly assembly) => Activator.AddAssembly(assembly);

    /// <summary>Exceptions thrown by grain turns whose caller did not wait (one-way calls, timers), oldest first.
    /// A call that failed because a silo died is not a fault: it is what a crash does.</summary>
    public List<string> Faults { get; } = [];
    public long FaultCount { get; private set; }

    public const string FirstSilo = "silo1";
    private readonly List<string> _silos = [FirstSilo];
    private readonly HashSet<string> _crashed = [];
    private int _deaths;
    private string[] _view = [FirstSilo];

    /// <summary>Simulated silos (one by default: every grain on it).</summary>
    public int SiloCount => _silos.Count;
    public IReadOnlyList<string> Silos => _silos;
    public IReadOnlyList<string> View => _view;

    /// <summary>How long a crashed silo stays in the others' view before it is declared dead.</summary>
    public TimeSpan SiloDeadAfter { get; set; } = TimeSpan.FromSeconds(6);

    public void ConfigureSilos(int count)
    {
        _silos.Clear();
        for (int i = 1; i <= count; i++) _silos.Add($"silo{i}");
        _view = [.. _silos];
    }

    private string Owner(SimGrainAddress a) => _silos.Count == 1 ? FirstSilo : GrainDirectory.Owner($"{a.GrainType}/{a.Key}", _view);

    /// <summary>A silo process dies: its activations are gone at once, with whatever they held in memory and their
    /// timers; the others declare it dead after <see cref="SiloDeadAfter"/>.</summary>
    public void CrashSilo(string silo)
    {
        if (!_crashed.Add(silo)) return;
        var unfinished = new List<Turn>();
        foreach (var address in _addresses.Values)
            if (address.Activation is { Silo: var s } a && s == silo)
            {
                unfinished.AddRange(a.Kill());
                address.Activation = null;
            }
        Loop.ScheduleAfter(SiloDeadAfter.Ticks, _ =>
        {
            var dead = new SiloUnavailableException($"silo {silo} died");
            foreach (var turn in unfinished) turn.Abandon(dead);
            if (_crashed.Contains(silo) && _view.Contains(silo))
            {
                SetView(_view.Where(v => v != silo).ToArray());
                // as a silo's membership listener does: the survivors hear of the death and tell the cluster grain
                _ = GetGrain<IClusterGrain>(IClusterGrain.Key).ResumeAllAsync($"silo {silo} lost ({++_deaths})");
            }
        }, null);
    }

    /// <summary>The silo starts again and joins with a new incarnation (it serves none of its old activations).</summary>
    public void RecoverSilo(string silo)
    {
        if (!_crashed.Remove(silo)) return;
        SetView(_view.Append(silo).Distinct().Order(StringComparer.Ordinal).ToArray());
    }

    /// <summary>A new view: grains whose owner changed let go of their activations (Orleans' directory hands them to
    /// the new owner; their next call activates them there from storage).</summary>
    private void SetView(string[] view)
    {
        if (view.Length == 0) return;
        _view = view;
        foreach (var address in _addresses.Values)
            if (address.Activation is { } a && a.Silo != Owner(address))
            {
                foreach (var turn in a.Kill()) Reroute(turn);
                address.Activation = null;
            }
    }

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithStringKey
    {
        var address = Address(typeof(TGrainInterface), primaryKey);
        if (address.Proxy is null)
        {
            var proxy = DispatchProxy.Create(typeof(TGrainInterface), typeof(GrainProxy));
            ((GrainProxy)proxy).Runtime = this;
            ((GrainProxy)proxy).Address = address;
            address.Proxy = proxy;
        }
        return (TGrainInterface)address.Proxy;
    }

    private SimGrainAddress Address(Type type, string key)
    {
        if (_addresses.TryGetValue((type, key), out var address)) return address;
        if (!_grainTypes.TryGetValue(type, out var grainType))
            _grainTypes[type] = grainType = GrainTypeName(Activator.ClassOf(type));
        return _addresses[(type, key)] = new SimGrainAddress(type, grainType, key);
    }

    /// <summary>Orleans' default grain type name: the class name, lower case, without a "Grain" suffix.</summary>
    private static string GrainTypeName(Type grainClass)
    {
        var name = grainClass.Name;
        if (name.EndsWith("Grain", StringComparison.Ordinal) && name.Length > 5) name = name[..^5];
        return name.ToLowerInvariant();
    }

    internal object Send(SimGrainAddress target, MethodInfo method, object?[] args)
    {
        if (!_plans.TryGetValue(method, out var plan)) _plans[method] = plan = MethodPlan.For(method);
        if (SerializeMessages)
            for (int i = 0; i < args.Length; i++) args[i] = OrleansCopier.RoundTrip(args[i]);
        var reply = plan.OneWay ? null : plan.NewReply();
        var message = new Message(this, target, plan, args, reply);
        long at = Math.Max(Loop.Now + Latency(), target.LastDeliveryTicks);
        target.LastDeliveryTicks = at;
        MessagesSent++;
        Loop.Schedule(at, DeliverCallback, (this, (Turn)message, target));
        return reply?.Task ?? Task.CompletedTask;
    }

    internal void ScheduleReply(Message message) => Loop.Schedule(Loop.Now + Latency(), ReplyCallback, message);

    /// <summary>Delivers a turn to its grain's activation, creating it on the owning silo when there is none.</summary>
    internal void Deliver(Turn turn, SimGrainAddress target)
    {
        var activation = target.Activation;
        if (activation is null || activation.Dead)
        {
            var owner = Owner(target);
            if (_crashed.Contains(owner))
            {
                // The directory still names the dead silo: a request is refused, a one-way message or a tick is lost.
                MessagesLost++;
                if (turn.HasCaller)
                    Loop.Schedule(Loop.Now + Latency(), FailCallback, (turn, (Exception)new SiloUnavailableException($"silo {owner} is unavailable")));
                return;
            }
            target.Activation = activation = new Activation(this, target, owner);
            Activations++;
        }
        activation.Enqueue(turn);
    }

    /// <summary>A turn whose activation is gone: a call goes to the grain's next activation.</summary>
    internal void Reroute(Turn turn)
    {
        if (turn is Message m) Deliver(m, m.Target);
    }

    /// <summary>Orleans drops an activation whose <c>OnActivateAsync</c> (or state read) failed; the calls queued behind
    /// it fail with the same error, and the next call activates the grain afresh.</summary>
    internal void ActivationFailed(Activation activation, Exception error)
    {
        if (activation.Address.Activation == activation) activation.Address.Activation = null;
        foreach (var turn in activation.Kill())
        {
            if (turn is ActivateTurn) continue;
            turn.Abandon(error);
            if (!turn.HasCaller && error is not SiloUnavailableException) RecordFault(activation, turn, error);
        }
    }

    private long Latency() => _latencyMin + _network.Exponential(_latencyMean);

    internal IRandomSource RandomFor(SimGrainAddress address) => _grainSeeds.Fork($"{address.Interface.Name}/{address.Key}");

    internal void RecordFault(Activation activation, Turn turn, Exception e)
    {
        if (e is SiloUnavailableException) return;
        FaultCount++;
        if (Faults.Count < 100)
            Faults.Add($"{SimTimeProvider.Since(Time.GetUtcNow()).TotalSeconds:0.000}s {activation.Address} {turn.Describe()}: {e.GetType().Name}: {e.Message}");
    }

    /// <summary>The live activations, per silo.</summary>
    public IEnumerable<(string Silo, string Grain)> LiveActivations() =>
        _addresses.Values.Where(a => a.Activation is { Dead: false }).Select(a => (a.Activation!.Silo, a.ToString()));

    // Orleans' IGrainFactory has more than string keys; Orca's grains use only these. The rest say so.
    private static NotSupportedException OnlyStringKeys() =>
        new("the simulated host activates grains with string keys only (IGrainWithStringKey)");

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidKey => throw OnlyStringKeys();
    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerKey => throw OnlyStringKeys();
    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidCompoundKey => throw OnlyStringKeys();
    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerCompoundKey => throw OnlyStringKeys();
    public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver => throw OnlyStringKeys();
    public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver => throw OnlyStringKeys();
    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => throw OnlyStringKeys();
    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => throw OnlyStringKeys();
    public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => throw OnlyStringKeys();
    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => throw OnlyStringKeys();
    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => throw OnlyStringKeys();
    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable => throw OnlyStringKeys();
    public IAddressable GetGrain(GrainId grainId) => throw OnlyStringKeys();
    public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => throw OnlyStringKeys();
    public IAddressable GetGrain(Type interfaceType, IdSpan grainKey, string? grainClassNamePrefix) => throw OnlyStringKeys();
    public IAddressable GetGrain(Type interfaceType, IdSpan grainKey) => throw OnlyStringKeys();

    private sealed class ServiceMap(Dictionary<Type, object> services) : IServiceProvider
    {
        public object? GetService(Type serviceType) => services.GetValueOrDefault(serviceType);
    }
}

/// <summary>Orleans' <see cref="IGrainRuntime"/> of the simulated host: the factory, timers and the virtual clock.</summary>
internal sealed class SimOrleansRuntime(SimGrainRuntime host) : IGrainRuntime
{
    public string SiloIdentity => "simulator";
    public SiloAddress SiloAddress => SiloAddress.Zero;
    public IGrainFactory GrainFactory => host;
    public Orleans.Timers.ITimerRegistry TimerRegistry => host.Timers;
    public IServiceProvider ServiceProvider => throw new NotSupportedException("the simulated host has no service provider; grains get their services through their constructors");
    public TimeProvider TimeProvider => host.Time;
    public void DeactivateOnIdle(IGrainContext grainContext) { }
    public void DelayDeactivation(IGrainContext grainContext, TimeSpan timeSpan) { }
    public Orleans.Core.IStorage<TGrainState> GetStorage<TGrainState>(IGrainContext grainContext) =>
        throw new NotSupportedException("grain storage is declared with [PersistentState] constructor parameters");
}
