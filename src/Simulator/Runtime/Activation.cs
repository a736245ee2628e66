using Orca.Grains.Runtime;
using Orca.Simulator.Engine;
using Orleans;
using Orleans.Runtime;
using Orleans.Timers;

namespace Orca.Simulator.Runtime;

/// <summary>
/// One live grain: an Orleans <see cref="IGrainContext"/> for the grain class, its instance and a mailbox. Turn-based
/// like Orleans' default: one turn (call, timer tick, reminder tick or the activation itself) at a time; an
/// <c>await</c> inside a turn does not let the next one in. The first turn reads the grain's declared states and runs
/// <c>OnActivateAsync</c>; if it fails, the activation is dropped and the calls queued behind it fail with its error,
/// as in Orleans: a grain never serves calls with state it could not read.
/// </summary>
internal sealed class Activation : IGrainContext, IServiceProvider
{
    private readonly Queue<Turn> _mailbox = new();
    private readonly SimGrainRuntime _runtime;
    private readonly Action<Task> _turnEnded;
    private readonly List<ISimState> _states;
    private IRandomSource? _random;
    private IReminderRegistry? _reminders;
    private bool _busy;
    private Turn? _running;

    /// <summary>With several silos, a turn's continuations go through this context, which drops them once the
    /// activation is dead (the process that ran them is gone).</summary>
    private readonly ActivationContext? _context;

    public Activation(SimGrainRuntime runtime, SimGrainAddress address, string silo)
    {
        _runtime = runtime;
        Address = address;
        Silo = silo;
        GrainId = GrainId.Create(address.GrainType, address.Key);
        if (runtime.SiloCount > 1) _context = new ActivationContext(runtime.Loop, this);
        _turnEnded = TurnEnded;
        (Grain, _states) = runtime.Activator.Create(address.Interface, this);
        _mailbox.Enqueue(new ActivateTurn()); // runs first, when the call that activated the grain is enqueued
    }

    public SimGrainAddress Address { get; }
    public Grain Grain { get; }
    public SimOrleansRuntime Runtime => _runtime.OrleansRuntime;

    /// <summary>The simulated silo this activation lives on.</summary>
    public string Silo { get; }

    /// <summary>Its silo crashed, it moved away or its activation failed: nothing of it runs any more.</summary>
    public bool Dead { get; private set; }

    public void Enqueue(Turn turn)
    {
        if (Dead)
        {
            _runtime.Reroute(turn);
            return;
        }
        _mailbox.Enqueue(turn);
        if (!_busy) Pump();
    }

    private void Pump()
    {
        while (!_busy && _mailbox.Count > 0 && !Dead)
        {
            var turn = _mailbox.Dequeue();
            _busy = true;
            _running = turn;
            Task task;
            var outer = SynchronizationContext.Current;
            if (_context is not null) SynchronizationContext.SetSynchronizationContext(_context);
            try
            {
                task = turn.Start(this);
            }
            catch (Exception e)
            {
                task = Task.FromException(e);
            }
            finally
            {
                if (_context is not null) SynchronizationContext.SetSynchronizationContext(outer);
            }
            if (task.IsCompleted) TurnEnded(task);
            else task.ContinueWith(_turnEnded, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Ends this activation at once; returns the turns it had not finished.</summary>
    public List<Turn> Kill()
    {
        Dead = true;
        var unfinished = new List<Turn>();
        if (_running is not null) unfinished.Add(_running);
        unfinished.AddRange(_mailbox);
        _mailbox.Clear();
        _running = null;
        return unfinished;
    }

    private void TurnEnded(Task task)
    {
        if (Dead) return;
        var turn = _running!;
        _running = null;
        _busy = false;
        turn.Finish(this, task);
        if (task.IsFaulted && !turn.HasCaller) _runtime.RecordFault(this, turn, task.Exception!.InnerException!);
        if (turn is ActivateTurn && task.IsFaulted)
        {
            _runtime.ActivationFailed(this, task.Exception!.InnerException!);
            return;
        }
        if (!_busy) Pump();
    }

    internal async Task ActivateAsync()
    {
        foreach (var state in _states) await state.ReadStateAsync();
        await ((IGrainBase)Grain).OnActivateAsync(CancellationToken.None);
    }

    // --- IServiceProvider: what Orleans' extension methods look up on ActivationServices ---

    public object? GetService(Type serviceType) =>
        serviceType == typeof(ITimerRegistry) ? _runtime.Timers
        : serviceType == typeof(IReminderRegistry) ? _reminders ??= _runtime.Reminders.For(Address)
        : serviceType == typeof(IRandomSource) ? _random ??= _runtime.RandomFor(Address)
        : serviceType == typeof(IGrainFactory) ? _runtime
        : null;

    // --- IGrainContext ---

    public GrainId GrainId { get; }
    public object? GrainInstance => Grain;
    public ActivationId ActivationId { get; } = ActivationId.GetDeterministic(default);
    public IServiceProvider ActivationServices => this;
    public GrainReference GrainReference => throw Unsupported(nameof(GrainReference));
    GrainAddress IGrainContext.Address => throw Unsupported(nameof(Address));
    public IGrainLifecycle ObservableLifecycle => throw Unsupported(nameof(ObservableLifecycle));
    public IWorkItemScheduler Scheduler => throw Unsupported(nameof(Scheduler));
    public Task Deactivated => Task.CompletedTask;
    public void SetComponent<TComponent>(TComponent? value) where TComponent : class => throw Unsupported(nameof(SetComponent));
    public TComponent? GetComponent<TComponent>() where TComponent : class => this as TComponent ?? GetService(typeof(TComponent)) as TComponent;
    public object? GetComponent(Type componentType) => componentType.IsInstanceOfType(this) ? this : GetService(componentType);
    public object? GetTarget() => Grain;
    public void ReceiveMessage(object message) => throw Unsupported(nameof(ReceiveMessage));
    public void Activate(Dictionary<string, object>? requestContext, CancellationToken cancellationToken) => throw Unsupported(nameof(Activate));
    public void Deactivate(DeactivationReason deactivationReason, CancellationToken cancellationToken) => throw Unsupported(nameof(Deactivate));
    public void Rehydrate(IRehydrationContext context) => throw Unsupported(nameof(Rehydrate));
    public void Migrate(Dictionary<string, object>? requestContext, CancellationToken cancellationToken) => throw Unsupported(nameof(Migrate));
    public bool Equals(IGrainContext? other) => ReferenceEquals(this, other);

    private static NotSupportedException Unsupported(string member) =>
        new($"IGrainContext.{member} is not supported by the simulated host (grains reach other grains through GrainFactory)");

    public override string ToString() => Address.ToString();
}

/// <summary>Posts an activation's continuations into the loop while the activation lives.</summary>
internal sealed class ActivationContext(EventLoop loop, Activation activation) : SynchronizationContext
{
    private static readonly SendOrPostCallback Run = state =>
    {
        var (a, d, s) = ((Activation, SendOrPostCallback, object?))state!;
        if (!a.Dead) d(s);
    };

    public override void Post(SendOrPostCallback d, object? state) => loop.Schedule(loop.Now, Run, (activation, d, state));
    public override void Send(SendOrPostCallback d, object? state) => d(state);
    public override SynchronizationContext CreateCopy() => this;
}
