using BenchmarkDotNet.Attributes;
using Orca.Simulator.Engine;

namespace Orca.Bench;

/// <summary>
/// The discrete-event core alone: a standing population of 10,000 pending events, each of which schedules its
/// successor at a random later time (the classic "hold" model used to compare event lists).
/// </summary>
public class EventLoopBenchmark
{
    private const int Population = 10_000, EventsPerRun = 1_000_000;

    [Benchmark(OperationsPerInvoke = EventsPerRun)]
    public long Hold()
    {
        var loop = new EventLoop();
        var random = new SimRandom(1);
        long remaining = EventsPerRun;
        SendOrPostCallback step = null!;
        step = _ =>
        {
            if (--remaining > 0) loop.ScheduleAfter(1 + random.Next(1000), step, null);
        };
        for (int i = 0; i < Population; i++) loop.Schedule(random.Next(1000), step, null);
        loop.Run(long.MaxValue);
        return loop.EventsProcessed;
    }
}
