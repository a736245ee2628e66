using System.Diagnostics;
using Orca.Grains.Grains;
using Orca.Silo;

namespace Orca.Bench;

/// <summary>
/// Grain calls per second on real silos: two silos of one cluster in this process (PostgreSQL given as argument),
/// 64 concurrent callers each making request-reply calls to the scheduler grain, first from the silo that hosts it
/// (local calls through Orleans' in-process path), then from the other one (Orleans' silo-to-silo TCP messaging).
/// </summary>
public static class GrainCallRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        var db = args.Length > 0 ? args[0] : throw new ArgumentException("give a PostgreSQL connection string");
        await using var a = await SiloHost.StartAsync(new SiloOptions(db, Port: 17801) { ClusterName = "bench" });
        await using var b = await SiloHost.StartAsync(new SiloOptions(db, Port: 17802) { ClusterName = "bench" });
        await a.Grains.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key).GetStatsAsync();
        var stats = await a.Grains.GetGrain<Orleans.Runtime.IManagementGrain>(0).GetSimpleGrainStatistics();
        var host = stats.First(s => s.GrainType.Contains(nameof(SchedulerGrain), StringComparison.Ordinal)).SiloAddress;
        var owner = host.Endpoint.Port == a.SiloPort ? a : b;
        var other = owner == a ? b : a;
        Console.WriteLine($"within one silo:   {await Measure(owner),10:N0} calls/s");
        Console.WriteLine($"between two silos: {await Measure(other),10:N0} calls/s");
        return 0;
    }

    private static async Task<double> Measure(SiloHost from)
    {
        var grain = from.Grains.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key);
        await grain.GetStatsAsync();
        const int callers = 64, seconds = 5;
        long calls = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                await grain.GetStatsAsync();
                Interlocked.Increment(ref calls);
            }
        })));
        return calls / clock.Elapsed.TotalSeconds;
    }
}
