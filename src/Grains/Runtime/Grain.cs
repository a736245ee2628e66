namespace Orca.Grains.Runtime;

/// <summary>Base class of every grain. Mirrors Orleans' <c>Grain</c>: key, factory, timers, activation hooks.</summary>
public abstract class Grain
{
    protected Grain(IGrainContext context) => Context = context;

    protected IGrainContext Context { get; }
    protected string Key => Context.Key;
    protected IGrainFactory GrainFactory => Context.GrainFactory;
    protected DateTimeOffset Now => Context.Time.GetUtcNow();

    protected IGrainTimer RegisterTimer(Func<Task> callback, TimeSpan dueTime, TimeSpan period) =>
        Context.RegisterTimer(callback, dueTime, period);

    public virtual Task OnActivateAsync() => Task.CompletedTask;
    public virtual Task OnDeactivateAsync() => Task.CompletedTask;

    private List<Func<Task>>? _stateReaders;

    /// <summary>Declares persistent state that the runtime reads before <see cref="OnActivateAsync"/>.</summary>
    protected IPersistentState<T> PersistentState<T>(string stateName, IGrainStateStore store) where T : class, new()
    {
        var state = new PersistentState<T>(store, stateName, Key);
        (_stateReaders ??= []).Add(state.ReadStateAsync);
        return state;
    }

    /// <summary>Called by the hosting runtime once per activation: reads declared state, then <see cref="OnActivateAsync"/>.</summary>
    public async Task ActivateAsync()
    {
        if (_stateReaders is not null)
            foreach (var read in _stateReaders) await read();
        await OnActivateAsync();
    }
}
