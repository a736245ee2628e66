using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Simulator.Engine;
using Orca.Simulator.Runtime;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Storage;

namespace Orca.Simulator.Tests;

[Alias("orca.tests.IRecorderGrain")]
public interface IRecorderGrain : IGrainWithStringKey
{
    Task<int> WorkAsync(string label);
    [OneWay] Task NoteAsync(string label);
    Task<IReadOnlyList<string>> LogAsync();
    Task StartTimerAsync(TimeSpan period);
    Task<Snapshot> EchoAsync(Snapshot value);
    Task FailAsync();
    [OneWay] Task FailQuietlyAsync();
    Task<int> ActivationNumberAsync();
}

[GenerateSerializer, Immutable, Alias("orca.tests.Snapshot")]
public sealed record Snapshot([property: Id(0)] string Name, [property: Id(1)] IReadOnlyDictionary<string, string> Labels,
    [property: Id(2)] Resources Resources);

[GenerateSerializer, Alias("orca.tests.RecorderState")]
public sealed class RecorderState
{
    [Id(0)] public List<string> Log { get; set; } = [];
}

/// <summary>An ordinary Orleans grain (Grain base class, [PersistentState], RegisterGrainTimer, GetPrimaryKeyString)
/// that records the order of its turns; <see cref="WorkAsync"/> awaits another grain in the middle.</summary>
public sealed class RecorderGrain : Grain, IRecorderGrain
{
    private static int _activations;
    private readonly IPersistentState<RecorderState> _state;
    private readonly TimeProvider _time;
    private readonly int _activation = ++_activations;

    public RecorderGrain(IGrainContext context, IGrainRuntime runtime,
        [PersistentState("recorder", OrcaStorage.Name)] IPersistentState<RecorderState> state, TimeProvider time) : base(context, runtime)
    {
        _state = state;
        _time = time;
    }

    public async Task<int> WorkAsync(string label)
    {
        _state.State.Log.Add($"{label}:begin");
        if (this.GetPrimaryKeyString() != "helper") await GrainFactory.GetGrain<IRecorderGrain>("helper").WorkAsync("nested");
        _state.State.Log.Add($"{label}:end");
        await _state.WriteStateAsync();
        return _state.State.Log.Count;
    }

    public Task NoteAsync(string label)
    {
        _state.State.Log.Add(label);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> LogAsync() => Task.FromResult<IReadOnlyList<string>>(_state.State.Log.ToList());

    public Task StartTimerAsync(TimeSpan period)
    {
        this.RegisterGrainTimer(() => NoteAsync($"tick@{_time.GetUtcNow() - SimTimeProvider.Epoch:c}"), period, period);
        return Task.CompletedTask;
    }

    public Task<Snapshot> EchoAsync(Snapshot value) => Task.FromResult(value);

    public Task FailAsync() => throw new InvalidOperationException("boom");

    public Task FailQuietlyAsync() => throw new InvalidOperationException("nobody waits for this");

    public Task<int> ActivationNumberAsync() => Task.FromResult(_activation);
}

public class GrainRuntimeTests
{
    private static (EventLoop, SimGrainRuntime) Runtime(bool serialize = false, int silos = 1)
    {
        var loop = new EventLoop();
        var runtime = new SimGrainRuntime(loop, new SimStateStore(serialize), null, new NullSink(),
            new OrcaOptions(), new SimRandom(1), NetworkModel.Default, serialize);
        runtime.AddGrainAssembly(typeof(RecorderGrain).Assembly);
        if (silos > 1) runtime.ConfigureSilos(silos);
        return (loop, runtime);
    }

    private sealed class NullSink : IEventSink
    {
        public void Publish(OrcaEvent e) { }
    }

    private static T Await<T>(EventLoop loop, Task<T> task)
    {
        loop.Run(loop.Now + TimeSpan.TicksPerSecond);
        Assert.True(task.IsCompleted, "the call did not complete");
        return task.Result;
    }

    [Fact]
    public void TurnsDoNotInterleaveAtAwaits()
    {
        var (loop, runtime) = Runtime();
        var grain = runtime.GetGrain<IRecorderGrain>("a");
        Task<int> first = null!, second = null!;
        loop.Schedule(0, _ =>
        {
            first = grain.WorkAsync("first");
            second = grain.WorkAsync("second");
        }, null);
        loop.Run(TimeSpan.TicksPerSecond);
        Assert.Equal((2, 4), (first.Result, second.Result));
        var log = Await(loop, grain.LogAsync());
        Assert.Equal(["first:begin", "first:end", "second:begin", "second:end"], log);
    }

    [Fact]
    public void OneActivationPerKeyWhateverTheNumberOfReferences()
    {
        var (loop, runtime) = Runtime();
        Task<int>[] calls = null!;
        loop.Schedule(0, _ => calls = Enumerable.Range(0, 10).Select(_ => runtime.GetGrain<IRecorderGrain>("same").ActivationNumberAsync()).ToArray(), null);
        loop.Run(TimeSpan.TicksPerSecond);
        Assert.Single(calls.Select(c => c.Result).Distinct());
        Assert.Equal(1, runtime.Activations);
    }

    [Fact]
    public void OneWayCallsReturnAtOnceAndArriveInOrder()
    {
        var (loop, runtime) = Runtime();
        var grain = runtime.GetGrain<IRecorderGrain>("a");
        Task note = null!;
        loop.Schedule(0, _ =>
        {
            note = grain.NoteAsync("1");
            for (int i = 2; i <= 20; i++) grain.NoteAsync(i.ToString());
        }, null);
        loop.Run(0);
        Assert.True(note.IsCompletedSuccessfully);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => i.ToString()), Await(loop, grain.LogAsync()));
    }

    [Fact]
    public void TimersTickOnVirtualTime()
    {
        var (loop, runtime) = Runtime();
        var grain = runtime.GetGrain<IRecorderGrain>("a");
        loop.Schedule(0, _ => grain.StartTimerAsync(TimeSpan.FromSeconds(10)), null);
        loop.Run(TimeSpan.FromSeconds(35).Ticks);
        var ticks = Await(loop, grain.LogAsync());
        Assert.Equal(3, ticks.Count);
        Assert.StartsWith("tick@00:00:10", ticks[0]);
    }

    [Fact]
    public void SerializedMessagesRoundTripThroughOrleansAndExceptionsReachTheCaller()
    {
        var (loop, runtime) = Runtime(serialize: true);
        var grain = runtime.GetGrain<IRecorderGrain>("a");
        var value = new Snapshot("n1", new Dictionary<string, string> { ["rack"] = "r1" }, new Resources(250, 64 << 20));
        Task<Snapshot> echo = null!;
        Task fail = null!;
        loop.Schedule(0, _ => { echo = grain.EchoAsync(value); fail = grain.FailAsync(); }, null);
        loop.Run(TimeSpan.TicksPerSecond);
        Assert.NotSame(value, echo.Result);
        Assert.Equal(("n1", "r1", value.Resources), (echo.Result.Name, echo.Result.Labels["rack"], echo.Result.Resources));
        Assert.Equal("boom", Assert.IsType<InvalidOperationException>(fail.Exception!.InnerException).Message);
    }

    [Fact]
    public void OnlyFaultsNobodyWaitsForAreTheRuntimesToRecord()
    {
        var (loop, runtime) = Runtime();
        var grain = runtime.GetGrain<IRecorderGrain>("a");
        Task awaited = null!;
        loop.Schedule(0, _ => { awaited = grain.FailAsync(); grain.FailQuietlyAsync(); }, null);
        loop.Run(TimeSpan.TicksPerSecond);
        Assert.True(awaited.IsFaulted);
        Assert.Equal(1, runtime.FaultCount);
        Assert.Contains("FailQuietlyAsync: InvalidOperationException: nobody waits for this", Assert.Single(runtime.Faults));
    }

    [Fact]
    public void AGrainWhoseStateCannotBeReadServesNoCall()
    {
        var (loop, runtime) = Runtime();
        runtime.Store.FailReadsOf = grain => grain.EndsWith("/broken", StringComparison.Ordinal);
        var broken = runtime.GetGrain<IRecorderGrain>("broken");
        Task<IReadOnlyList<string>> first = null!, second = null!;
        loop.Schedule(0, _ => { first = broken.LogAsync(); second = broken.LogAsync(); }, null);
        loop.Run(TimeSpan.TicksPerSecond);
        Assert.Contains("cannot be read", first.Exception!.InnerException!.Message);
        Assert.True(second.IsFaulted, "a call queued behind the failed activation must fail too, not see empty state");
        runtime.Store.FailReadsOf = null;
        Assert.Empty(Await(loop, broken.LogAsync())); // the next call activates it afresh, from the store
    }

    [Fact]
    public void ASiloCrashLosesMemoryKeepsStoredStateAndRefusesCallsUntilDeclaredDead()
    {
        var (loop, runtime) = Runtime(serialize: true, silos: 2);
        var grain = runtime.GetGrain<IRecorderGrain>("a");
        loop.Schedule(0, _ => { grain.WorkAsync("saved"); grain.NoteAsync("unsaved"); }, null);
        loop.Run(TimeSpan.TicksPerSecond);
        var silo = runtime.LiveActivations().Single(a => a.Grain.EndsWith("/a", StringComparison.Ordinal)).Silo;
        Task<IReadOnlyList<string>> during = null!;
        loop.Schedule(loop.Now, _ => { runtime.CrashSilo(silo); during = grain.LogAsync(); }, null);
        loop.Run(loop.Now + TimeSpan.TicksPerSecond);
        Assert.IsType<SiloUnavailableException>(during.Exception!.InnerException);
        loop.Run(loop.Now + runtime.SiloDeadAfter.Ticks);
        var after = Await(loop, grain.LogAsync());
        Assert.Equal(["saved:begin", "saved:end"], after); // the unsaved note died with the silo
        Assert.NotEqual(silo, runtime.LiveActivations().Single(a => a.Grain.EndsWith("/a", StringComparison.Ordinal)).Silo);
    }

    [Fact]
    public void StateWritesCheckEtags()
    {
        var store = new SimStateStore(serialize: true);
        var etag = store.Write("s", "k", new RecorderState(), null);
        Assert.Throws<InconsistentStateException>(() => store.Write("s", "k", new RecorderState(), null));
        var next = store.Write("s", "k", new RecorderState { Log = ["x"] }, etag);
        Assert.NotEqual(etag, next);
        Assert.Equal(["x"], store.Read<RecorderState>("s", "k").State!.Log);
    }
}
