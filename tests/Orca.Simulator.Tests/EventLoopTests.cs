using Orca.Simulator.Engine;

namespace Orca.Simulator.Tests;

public class EventLoopTests
{
    [Fact]
    public void EventsRunInTimeThenSchedulingOrder()
    {
        var loop = new EventLoop();
        var log = new List<string>();
        loop.Schedule(20, s => log.Add((string)s!), "c");
        loop.Schedule(10, s => log.Add((string)s!), "a");
        loop.Schedule(10, s => log.Add((string)s!), "b");
        loop.Schedule(5, _ => loop.Schedule(10, s => log.Add((string)s!), "b2"), null);
        loop.Run(100);
        Assert.Equal(["a", "b", "b2", "c"], log);
        Assert.Equal(100, loop.Now);
    }

    [Fact]
    public void RunStopsAtTheGivenTimeAndResumes()
    {
        var loop = new EventLoop();
        int fired = 0;
        loop.Schedule(50, _ => fired++, null);
        loop.Schedule(150, _ => fired++, null);
        loop.Run(100);
        Assert.Equal((1, 100L, 1), (fired, loop.Now, loop.Pending));
        loop.Run(200);
        Assert.Equal(2, fired);
    }

    [Fact]
    public async Task AwaitResumesThroughTheLoopNotTheThreadPool()
    {
        var loop = new EventLoop();
        var tcs = new TaskCompletionSource();
        var log = new List<(string, long, int)>();
        int thread = Environment.CurrentManagedThreadId;
        loop.Schedule(0, _ => Body(), null);
        loop.Schedule(30, _ => tcs.SetResult(), null);
        loop.Run(1000);
        Assert.Equal([("before", 0L, thread), ("after", 30L, thread)], log);
        await Task.CompletedTask;

        async void Body()
        {
            log.Add(("before", loop.Now, Environment.CurrentManagedThreadId));
            await tcs.Task;
            log.Add(("after", loop.Now, Environment.CurrentManagedThreadId));
        }
    }

    [Fact]
    public void ManyEventsKeepTheirOrder()
    {
        var loop = new EventLoop();
        var random = new SimRandom(7);
        var times = Enumerable.Range(0, 10_000).Select(_ => (long)random.Next(1000)).ToList();
        var seen = new List<long>();
        foreach (var t in times) loop.Schedule(t, s => seen.Add((long)s!), t);
        loop.Run(1000);
        Assert.Equal(times.Order(), seen);
    }
}

public class SimRandomTests
{
    [Fact]
    public void SameSeedSameStreamAndForksAreIndependentOfOrder()
    {
        var a = new SimRandom(42);
        var b = new SimRandom(42);
        Assert.Equal(Enumerable.Range(0, 5).Select(_ => a.NextULong()), Enumerable.Range(0, 5).Select(_ => b.NextULong()));
        var x = new SimRandom(1);
        var y = new SimRandom(1);
        x.NextULong(); // drawing from the parent does not move a fork
        Assert.Equal(x.Fork("network").NextULong(), y.Fork("network").NextULong());
        Assert.NotEqual(y.Fork("network").NextULong(), y.Fork("hosts").NextULong());
    }

    [Fact]
    public void RangesAreRespected()
    {
        var r = new SimRandom(3);
        for (int i = 0; i < 1000; i++)
        {
            Assert.InRange(r.NextDouble(), 0, 0.9999999999);
            Assert.InRange(r.Next(7), 0, 6);
            Assert.InRange(r.Uniform(10, 20), 10, 20);
        }
    }
}
