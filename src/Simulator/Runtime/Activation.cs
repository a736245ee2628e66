using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Simulator.Engine;

namespace Orca.Simulator.Runtime;

/// <summary>
/// One live grain: its instance and a mailbox. Turn-based like Orleans' default: one turn (call, timer tick or the
/// activation itself) at a time; an <c>await</c> inside a turn does not let the next one in.
/// </summary>
internal sealed class Activation : IGrainContext
{
    private readonly Queue<Turn> _mailbox = new();
    private readonly SimGrainRuntime _runtime;
    private bool _busy;
    private IRandomSource? _random;
    private readonly Action<Task> _turnEnded;
    private Turn? _running;

    public Activation(SimGrainRuntime runtime, GrainAddress address, string silo = SimGrainRuntime.FirstSilo)
    {
        _runtime = runtime;
        Address = address;
        Silo = silo;
        if (runtime.SiloCount > 1) _context = new ActivationContext(runtime.Loop, this);
        _turnEnded = TurnEnded;
        Grain = runtime.Registry.Create(address.Interface, this, runtime.Services);
        Enqueue(new ActivateTurn());
    }

    public GrainAddress Address { get; }
    public Grain Grain { get; }

    /// <summary>The simulated silo this activation lives on.</summary>
    public string Silo { get; }

    /// <summary>Its silo crashed or it moved away: nothing of it runs any more.</summary>
    public bool Dead { get; private set; }

    /// <summary>With several silos, a turn's continuations go through this context, which drops them once the
    /// activation is dead (the process that ran them is gone).</summary>
    private readonly ActivationContext? _context;

    public string Key => Address.Key;
    public IGrainFactory GrainFactory => _runtime;
    public TimeProvider Time => _runtime.Time;
    public IRandomSource Random => _random ??= _runtime.RandomFor(Address);
    public IEventSink Events => _runtime.Events;
    public OrcaOptions Options => _runtime.Options;

    public IGrainTimer RegisterTimer(Func<Task> callback, TimeSpan dueTime, TimeSpan period) =>
        new SimTimer(_runtime.Loop, this, callback, dueTime, period);

    public void Enqueue(Turn turn)
    {
        if (Dead) return;
        _mailbox.Enqueue(turn);
        if (!_busy) Pump();
    }

    private void Pump()
    {
        while (!_busy && _mailbox.Count > 0)
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

    /// <summary>Ends this activation at once; returns the calls it had not finished, for their senders' retries.</summary>
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
        if (!_busy) Pump();
    }
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

/// <summary>A unit of work for an activation's mailbox.</summary>
internal abstract class Turn
{
    public abstract Task Start(Activation activation);
    public virtual void Finish(Activation activation, Task task) { }
    public abstract string Describe();

    /// <summary>A caller waits for the outcome (and gets the exception); otherwise a fault is the runtime's to record.</summary>
    public virtual bool HasCaller => false;
}

internal sealed class ActivateTurn : Turn
{
    public override Task Start(Activation activation) => activation.Grain.ActivateAsync();
    public override string Describe() => "activation";
}
