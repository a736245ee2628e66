using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Silo.Persistence;
using Orca.Silo.Runtime;

namespace Orca.Silo.Tests;

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> AddAsync(string label);
    [OneWay] Task NoteAsync(string label);
    Task<List<string>> LogAsync();
    Task StartTicking(TimeSpan period);
    Task<int> TicksAsync();
    Task FailAsync();
    Task AddDirectAsync(string label);
}

public sealed class CounterState
{
    public List<string> Log { get; set; } = [];
}

/// <summary><see cref="AddAsync"/> awaits another grain in the middle of its turn.</summary>
public sealed class CounterGrain : Grain, ICounterGrain
{
    private readonly IPersistentState<CounterState> _state;
    private int _ticks;

    public CounterGrain(IGrainContext context, GrainServices services) : base(context) =>
        _state = PersistentState<CounterState>("counter", services.Store);

    public async Task<int> AddAsync(string label)
    {
        _state.State.Log.Add($"{label}:begin");
        if (Key != "helper") await GrainFactory.GetGrain<ICounterGrain>("helper").AddAsync("nested");
        await Task.Yield();
        _state.State.Log.Add($"{label}:end");
        await _state.WriteStateAsync();
        return _state.State.Log.Count;
    }

    public Task NoteAsync(string label)
    {
        _state.State.Log.Add(label);
        return _state.WriteStateAsync();
    }

    public Task<List<string>> LogAsync() => Task.FromResult(_state.State.Log.ToList());

    public Task StartTicking(TimeSpan period)
    {
        RegisterTimer(() => { _ticks++; return Task.CompletedTask; }, period, period);
        return Task.CompletedTask;
    }

    public Task<int> TicksAsync() => Task.FromResult(_ticks);
    public Task FailAsync() => throw new InvalidOperationException("boom");

    public Task AddDirectAsync(string label)
    {
        _state.State.Log.Add(label);
        return _state.WriteStateAsync();
    }
}

public sealed class SiloRuntimeTests
{
    private static async Task<SiloGrainRuntime> Runtime()
    {
        var store = await SqlGrainStateStore.OpenAsync(Path.Combine(Processes.TempDir("orca-runtime"), "orca.db"));
        var registry = new GrainTypeRegistry().Register<ICounterGrain>((ctx, s) => new CounterGrain(ctx, s));
        return new SiloGrainRuntime(registry, new GrainServices(store, null!), new EventHub(), new OrcaOptions(), TimeProvider.System);
    }

    [Fact]
    public async Task TurnsDoNotInterleaveAtAwaits()
    {
        await using var runtime = await Runtime();
        var grain = runtime.GetGrain<ICounterGrain>("a");
        var calls = Enumerable.Range(0, 5).Select(i => grain.AddAsync($"call{i}")).ToList();
        await Task.WhenAll(calls);
        var log = await grain.LogAsync();
        for (int i = 0; i < log.Count; i += 2)
        {
            var label = log[i].Split(':')[0];
            Assert.Equal($"{label}:begin", log[i]);
            Assert.Equal($"{label}:end", log[i + 1]); // nothing of another call in between
        }
        Assert.Equal(10, log.Count);
    }

    [Fact]
    public async Task OneWayCallsReturnAtOnceArriveInOrderAndExceptionsReachTheCaller()
    {
        await using var runtime = await Runtime();
        var grain = runtime.GetGrain<ICounterGrain>("b");
        var first = grain.NoteAsync("1");
        Assert.True(first.IsCompletedSuccessfully);
        for (int i = 2; i <= 20; i++) _ = grain.NoteAsync(i.ToString());
        Assert.Equal(Enumerable.Range(1, 20).Select(i => i.ToString()), await grain.LogAsync());
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.FailAsync());
        Assert.Equal("boom", e.Message);
        Assert.Equal(0, Interlocked.Read(ref runtime.Faults)); // the caller got it
    }

    [Fact]
    public async Task TimersTickAsTurns()
    {
        await using var runtime = await Runtime();
        var grain = runtime.GetGrain<ICounterGrain>("c");
        await grain.StartTicking(TimeSpan.FromMilliseconds(30));
        SiloProcess.Until(() => grain.TicksAsync().Result >= 5, TimeSpan.FromSeconds(10), "5 ticks");
    }

    [Fact]
    public async Task IdleActivationsAreDeactivatedAndComeBackWithTheirState()
    {
        await using var runtime = await Runtime();
        var idle = runtime.GetGrain<ICounterGrain>("idle");
        var ticking = runtime.GetGrain<ICounterGrain>("ticking");
        await idle.NoteAsync("kept");
        await ticking.StartTicking(TimeSpan.FromSeconds(1));
        await idle.LogAsync();
        Assert.Equal(2, runtime.ActivationCount);
        Assert.Equal(1, await runtime.CollectIdleAsync(TimeSpan.Zero)); // the ticking one stays
        Assert.Equal(["ICounterGrain", "ticking"], runtime.Activations().Select(a => new[] { a.Type, a.Key }).Single());
        Assert.Equal(["kept"], await idle.LogAsync()); // reactivated from the database
    }
}

public sealed class StaleEtagTests
{
    /// <summary>Two runtimes on one database hosting the same grain (as two silos briefly can while their views
    /// disagree): the second writer's stale etag fails, that activation lets go, and its next call re-reads the
    /// state — nothing written by the first is overwritten.</summary>
    [Fact]
    public async Task AStaleWriteFailsAndTheGrainReReadsInsteadOfOverwriting()
    {
        var path = Path.Combine(Processes.TempDir("orca-etag"), "orca.db");
        var store = await SqlGrainStateStore.OpenAsync(path);
        var registry = new GrainTypeRegistry().Register<ICounterGrain>((ctx, s) => new CounterGrain(ctx, s));
        await using var a = new SiloGrainRuntime(registry, new GrainServices(store, null!), new EventHub(), new OrcaOptions(), TimeProvider.System);
        await using var b = new SiloGrainRuntime(registry, new GrainServices(store, null!), new EventHub(), new OrcaOptions(), TimeProvider.System);
        await a.GetGrain<ICounterGrain>("g").NoteAsync("from a");
        Assert.Equal(["from a"], await a.GetGrain<ICounterGrain>("g").LogAsync());
        Assert.Equal(["from a"], await b.GetGrain<ICounterGrain>("g").LogAsync());   // b activates: reads a's write
        await a.GetGrain<ICounterGrain>("g").AddDirectAsync("a again");               // a writes: b's etag is now stale
        await Assert.ThrowsAsync<InconsistentStateException>(() => b.GetGrain<ICounterGrain>("g").AddDirectAsync("from b"));
        Assert.Equal(["from a", "a again"], await b.GetGrain<ICounterGrain>("g").LogAsync()); // b re-read, nothing lost
        Assert.Equal(["from a", "a again"], (await store.ReadAsync<CounterState>("counter", "g")).State!.Log);
    }
}
