using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Simulator.Engine;
using Orca.Simulator.Runtime;

namespace Orca.Simulator.Tests;

public interface IRecorderGrain : IGrainWithStringKey
{
    Task<int> WorkAsync(string label);
    [OneWay] Task NoteAsync(string label);
    Task<IReadOnlyList<string>> LogAsync();
    Task StartTimerAsync(TimeSpan period);
    Task<Snapshot> EchoAsync(Snapshot value);
    Task FailAsync();
    [OneWay] Task FailQuietlyAsync();
}

public sealed record Snapshot(string Name, IReadOnlyDictionary<string, string> Labels, Resources Resources);

public sealed class RecorderState
{
    public List<string> Log { get; set; } = [];
}

/// <summary>Records the order of its turns; <see cref="WorkAsync"/> awaits another grain in the middle.</summary>
public sealed class RecorderGrain : Grain, IRecorderGrain
{
    private readonly IPersistentState<RecorderState> State;

    public RecorderGrain(IGrainContext context, GrainServices services) : base(context) =>
        State = PersistentState<RecorderState>("recorder", services.Store);

    public async Task<int> WorkAsync(string label)
    {
        State.State.Log.Add($"{label}:begin");
        if (Key != "helper") await GrainFactory.GetGrain<IRecorderGrain>("helper").WorkAsync("nested");
        State.State.Log.Add($"{label}:end");
        await State.WriteStateAsync();
        return State.State.Log.Count;
    }

    public Task NoteAsync(string label)
    {
        State.State.Log.Add(label);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> LogAsync() => Task.FromResult<IReadOnlyList<string>>(State.State.Log.ToList());

    public Task StartTimerAsync(TimeSpan period)
    {
        RegisterTimer(() => NoteAsync($"tick@{Now - new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero):c}"), period, period);
        return Task.CompletedTask;
    }

    public Task<Snapshot> EchoAsync(Snapshot value) => Task.FromResult(value);

    public Task FailAsync() => throw new InvalidOperationException("boom");

    public Task FailQuietlyAsync() => throw new InvalidOperationException("nobody waits for this");
}

public class GrainRuntimeTests
{
    private static (EventLoop, SimGrainRuntime) Runtime(bool serialize = false)
    {
        var loop = new EventLoop();
        var registry = new GrainTypeRegistry().Register<IRecorderGrain>((ctx, s) => new RecorderGrain(ctx, s));
        var runtime = new SimGrainRuntime(loop, registry, new GrainServices(new InMemoryStateStore(serialize), null!), new NullSink(),
            new OrcaOptions(), new SimRandom(1), NetworkModel.Default, serialize);
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
    public void SerializedMessagesRoundTripRecordsAndExceptionsReachTheCaller()
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
    public void StateWritesCheckEtags()
    {
        var store = new InMemoryStateStore(serialize: true);
        var etag = store.WriteAsync("s", "k", new RecorderState(), null).Result;
        Assert.Throws<InconsistentStateException>(() => store.WriteAsync("s", "k", new RecorderState(), null).GetAwaiter().GetResult());
        var next = store.WriteAsync("s", "k", new RecorderState { Log = ["x"] }, etag).Result;
        Assert.NotEqual(etag, next);
        Assert.Equal(["x"], store.ReadAsync<RecorderState>("s", "k").Result.State!.Log);
    }
}
