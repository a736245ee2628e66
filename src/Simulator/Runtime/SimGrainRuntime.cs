using System.Reflection;
using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Simulator.Engine;

namespace Orca.Simulator.Runtime;

/// <summary>Latency of control-plane messages: a floor plus an exponential tail.</summary>
public sealed record NetworkModel(TimeSpan Min, TimeSpan MeanExtra)
{
    public static readonly NetworkModel Default = new(TimeSpan.FromMilliseconds(0.2), TimeSpan.FromMilliseconds(0.3));
}

/// <summary>
/// Hosts the grain classes on the event loop. A call is a message delivered after a sampled network delay;
/// its reply is another. Activations are created on first call. With <see cref="SerializeMessages"/> every
/// argument, result and state write round-trips through JSON, to catch what a real network would break on.
/// </summary>
public sealed class SimGrainRuntime : IGrainFactory
{
    private readonly Dictionary<(Type, string), GrainAddress> _addresses = new();
    private readonly Dictionary<MethodInfo, MethodPlan> _plans = new();
    private readonly SimRandom _network;
    private readonly SimRandom _grainSeeds;
    private readonly long _latencyMin, _latencyMean;
    private static readonly SendOrPostCallback DeliverCallback = state => ((Message)state!).Deliver();
    private static readonly SendOrPostCallback ReplyCallback = state => ((Message)state!).DeliverReply();

    public SimGrainRuntime(EventLoop loop, GrainTypeRegistry registry, GrainServices services, IEventSink events,
        OrcaOptions options, SimRandom random, NetworkModel network, bool serializeMessages)
    {
        Loop = loop;
        Registry = registry;
        Services = services;
        Events = events;
        Options = options;
        Time = new SimTimeProvider(loop);
        _network = random.Fork("network");
        _grainSeeds = random.Fork("grains");
        _latencyMin = network.Min.Ticks;
        _latencyMean = network.MeanExtra.Ticks;
        SerializeMessages = serializeMessages;
    }

    public EventLoop Loop { get; }
    internal GrainTypeRegistry Registry { get; }
    internal GrainServices Services { get; }
    public IEventSink Events { get; }
    public OrcaOptions Options { get; set; }
    public TimeProvider Time { get; }
    public bool SerializeMessages { get; }
    public long MessagesSent { get; private set; }
    public int Activations { get; private set; }

    /// <summary>Exceptions thrown by grain turns whose caller did not wait (one-way calls, timers), oldest first.</summary>
    public List<string> Faults { get; } = [];
    public long FaultCount { get; private set; }

    public const string FirstSilo = "silo1";
    private readonly List<string> _silos = [FirstSilo];
    private readonly HashSet<string> _crashed = [];
    private string[] _view = [FirstSilo];
    private readonly List<Message> _parked = [];

    /// <summary>Simulated silos (one by default: every grain on it, as before).</summary>
    public int SiloCount => _silos.Count;
    public IReadOnlyList<string> Silos => _silos;
    public IReadOnlyList<string> View => _view;

    /// <summary>How long a crashed silo stays in the others' view before it is declared dead.</summary>
    public TimeSpan SiloDeadAfter { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Called after every view change (the host resumes grains, as the real silos do).</summary>
    public Action? ViewChanged { get; set; }

    public void ConfigureSilos(int count)
    {
        _silos.Clear();
        for (int i = 1; i <= count; i++) _silos.Add($"silo{i}");
        _view = [.. _silos];
    }

    private string Owner(GrainAddress a) => _silos.Count == 1 ? FirstSilo : GrainDirectory.Owner($"{a.Interface.Name}/{a.Key}", _view);

    /// <summary>A silo process dies: its activations are gone at once, with whatever they held in memory; the
    /// others declare it dead after <see cref="SiloDeadAfter"/>, and its grains then come back elsewhere.</summary>
    public void CrashSilo(string silo)
    {
        if (!_crashed.Add(silo)) return;
        foreach (var address in _addresses.Values)
            if (address.Activation is { Silo: var s } a && s == silo)
            {
                Park(a.Kill());
                address.Activation = null;
            }
        Loop.ScheduleAfter(SiloDeadAfter.Ticks, _ =>
        {
            if (!_crashed.Contains(silo) || !_view.Contains(silo)) return;
            SetView(_view.Where(v => v != silo).ToArray());
        }, null);
    }

    /// <summary>The silo starts again and joins with a new incarnation (it serves none of its old activations).</summary>
    public void RecoverSilo(string silo)
    {
        if (!_crashed.Remove(silo)) return;
        SetView(_view.Append(silo).Distinct().Order(StringComparer.Ordinal).ToArray());
    }

    private void SetView(string[] view)
    {
        if (view.Length == 0) return;
        _view = view;
        foreach (var address in _addresses.Values)
            if (address.Activation is { } a && a.Silo != Owner(address))
            {
                Park(a.Kill());
                address.Activation = null;
            }
        var parked = _parked.ToList();
        _parked.Clear();
        foreach (var m in parked) Loop.Schedule(Loop.Now, DeliverCallback, m);
        ViewChanged?.Invoke();
    }

    /// <summary>Calls that did not finish (or could not be delivered) wait for the next view, as a real silo's
    /// forwarding retries until the membership names the grain's new owner.</summary>
    private void Park(IEnumerable<Turn> turns)
    {
        foreach (var t in turns)
            if (t is Message m) _parked.Add(m);
    }

    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey
    {
        var address = Address(typeof(TGrain), key);
        if (address.Proxy is null)
        {
            var proxy = DispatchProxy.Create(typeof(TGrain), typeof(GrainProxy));
            ((GrainProxy)proxy).Runtime = this;
            ((GrainProxy)proxy).Address = address;
            address.Proxy = proxy;
        }
        return (TGrain)address.Proxy;
    }

    private GrainAddress Address(Type type, string key)
    {
        if (!_addresses.TryGetValue((type, key), out var address)) _addresses[(type, key)] = address = new GrainAddress(type, key);
        return address;
    }

    internal object Send(GrainAddress target, MethodInfo method, object?[] args)
    {
        if (!_plans.TryGetValue(method, out var plan)) _plans[method] = plan = MethodPlan.For(method);
        if (SerializeMessages)
            for (int i = 0; i < args.Length; i++) args[i] = OrcaJson.RoundTrip(args[i], plan.ParameterTypes[i]);
        var reply = plan.OneWay ? null : plan.NewReply();
        var message = new Message(this, target, plan, args, reply);
        long at = Math.Max(Loop.Now + Latency(), target.LastDeliveryTicks);
        target.LastDeliveryTicks = at;
        MessagesSent++;
        Loop.Schedule(at, DeliverCallback, message);
        return reply?.Task ?? Task.CompletedTask;
    }

    private long Latency() => _latencyMin + _network.Exponential(_latencyMean);

    internal IRandomSource RandomFor(GrainAddress address) => _grainSeeds.Fork($"{address.Interface.Name}/{address.Key}");

    internal void RecordFault(Activation activation, Turn turn, Exception e)
    {
        FaultCount++;
        if (Faults.Count < 100)
            Faults.Add($"{SimTimeProvider.Since(Time.GetUtcNow()).TotalSeconds:0.000}s {activation.Address} {turn.Describe()}: {e.GetType().Name}: {e.Message}");
    }

    /// <summary>A call on its way: delivered into the target's mailbox, run as a turn, answered after another delay.</summary>
    private sealed class Message(SimGrainRuntime runtime, GrainAddress target, MethodPlan plan, object?[] args, IReply? reply) : Turn
    {
        private Task? _outcome;

        public void Deliver()
        {
            var activation = target.Activation;
            if (activation is null)
            {
                var owner = runtime.Owner(target);
                if (runtime._crashed.Contains(owner))
                {
                    runtime._parked.Add(this); // its owner is down but not yet declared dead
                    return;
                }
                target.Activation = activation = new Activation(runtime, target, owner);
                runtime.Activations++;
            }
            activation.Enqueue(this);
        }

        public override Task Start(Activation activation) =>
            (Task)plan.Method.Invoke(activation.Grain, BindingFlags.DoNotWrapExceptions, null, args, null)!;

        public override void Finish(Activation activation, Task task)
        {
            if (reply is null) return;
            _outcome = task;
            runtime.Loop.Schedule(runtime.Loop.Now + runtime.Latency(), ReplyCallback, this);
        }

        public void DeliverReply() => reply!.Complete(_outcome!, runtime.SerializeMessages ? OrcaJson.Options : null);

        public override string Describe() => plan.Name;

        public override bool HasCaller => reply is not null;
    }
}
