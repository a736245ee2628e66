using System.Diagnostics;
using Orca.Grains.Grains;
using Orca.Silo;
using Orleans.Runtime;

namespace Orca.Bench;

/// <summary>
/// Grain calls per second on real silos of one cluster (PostgreSQL given as argument): silo A in this process, silo B
/// an `orca silo run` process of its own (two silos in one process share the runtime's statics and measure each
/// other's work, not Orleans'). 64 concurrent callers on A make request-reply calls to a grain on A (Orleans'
/// in-process path) and to one on B (Orleans' silo-to-silo TCP messaging), in three alternating rounds of five seconds.
/// </summary>
public static class GrainCallRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        var db = args.Length > 0 ? args[0] : throw new ArgumentException("give a PostgreSQL connection string");
        // B starts first, so its start-up wakes the cluster grain there; a grain first called from A lives on A
        // (Orleans places a new activation on the caller's silo when it can).
        using var b = StartOtherSilo(db, 17802);
        try
        {
            await WaitForHealthAsync(17802, b);
            await using var a = await SiloHost.StartAsync(new SiloOptions(db, Port: 17801) { ClusterName = "bench" });
            var management = a.Grains.GetGrain<IManagementGrain>(0);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((await management.GetHosts(onlyActive: true)).Count < 2)
            {
                if (DateTime.UtcNow > deadline || b.HasExited) throw new InvalidOperationException("silo B did not join the cluster");
                await Task.Delay(200);
            }
            // Two grains with the same trivial call (an empty list back): the cluster grain on B, and a node grain on A
            // (Orleans' placement chooses the silo: bench keys are tried until one lands on A).
            var stats = await management.GetDetailedGrainStatistics(null, null);
            if (stats.First(s => s.GrainId.ToString() == "cluster/cluster").SiloAddress.Endpoint.Port == a.SiloPort)
                throw new InvalidOperationException("the cluster grain is on A; the run needs it on B");
            Func<Task> remote = () => a.Grains.GetGrain<IClusterGrain>(IClusterGrain.Key).ListNodesAsync();
            string? key = null;
            for (int k = 0; k < 200 && key is null; k++)
            {
                await a.Grains.GetGrain<INodeGrain>($"bench-{k}").ListTasksAsync();
                stats = await management.GetDetailedGrainStatistics(null, null);
                if (stats.First(s => s.GrainId.ToString() == $"node/bench-{k}").SiloAddress.Endpoint.Port == a.SiloPort) key = $"bench-{k}";
            }
            if (key is null) throw new InvalidOperationException("no bench grain was placed on A");
            Func<Task> local = () => a.Grains.GetGrain<INodeGrain>(key).ListTasksAsync();
            await Measure(local, 2); // warm-up: JIT, connections
            await Measure(remote, 2);
            var within = new List<double>();
            var between = new List<double>();
            for (int round = 0; round < 3; round++)
            {
                within.Add(await Measure(local));
                between.Add(await Measure(remote));
                Console.WriteLine($"round {round + 1}: within one silo {within[^1],10:N0} calls/s, between two silos {between[^1],10:N0} calls/s");
            }
            Console.WriteLine($"median: within one silo {within.Order().ElementAt(1),10:N0} calls/s, between two silos {between.Order().ElementAt(1),10:N0} calls/s");
            return 0;
        }
        finally
        {
            if (!b.HasExited) b.Kill(entireProcessTree: true);
        }
    }

    private static Process StartOtherSilo(string db, int port)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "Cli", "bin", "Release", "net10.0", "orca.dll");
        if (!File.Exists(cli)) throw new InvalidOperationException($"build the CLI first (./orca --help): {cli} is missing");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.GetFullPath(cli), "silo", "run", "--db", db, "--cluster", "bench", "--port", $"{port}" })
            psi.ArgumentList.Add(arg);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task WaitForHealthAsync(int port, Process silo)
    {
        using var http = new HttpClient();
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline && !silo.HasExited; await Task.Delay(200))
        {
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{port}/healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
        }
        throw new InvalidOperationException("silo B did not start");
    }

    private static async Task<double> Measure(Func<Task> call, int seconds = 5)
    {
        const int callers = 64;
        long calls = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                await call();
                Interlocked.Increment(ref calls);
            }
        })));
        return calls / clock.Elapsed.TotalSeconds;
    }
}
