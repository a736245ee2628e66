using Orca.Grains.Grains;
using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Simulator.Engine;
using Orca.Simulator.Hosts;
using Orca.Simulator.Runtime;

namespace Orca.Simulator.Tests;

/// <summary>The real grains on the simulated host, poked the way a lost message or a restarted silo pokes them.</summary>
public class ResumeTests
{
    private sealed class NullSink : IEventSink
    {
        public void Publish(OrcaEvent e) { }
    }

    private static (EventLoop Loop, SimGrainRuntime Runtime, SimCluster Cluster) World()
    {
        var loop = new EventLoop();
        var random = new SimRandom(1);
        var cluster = new SimCluster(loop, random, new SimHostOptions());
        var runtime = new SimGrainRuntime(loop, new SimStateStore(serialize: true), cluster, new NullSink(), new OrcaOptions(), random,
            NetworkModel.Default, serializeMessages: true);
        cluster.Runtime = runtime;
        return (loop, runtime, cluster);
    }

    private static T Await<T>(EventLoop loop, Func<Task<T>> call)
    {
        Task<T> task = null!;
        loop.Schedule(loop.Now, _ => task = call(), null);
        loop.Run(loop.Now + 30 * TimeSpan.TicksPerSecond);
        Assert.True(task.IsCompleted, "the call did not complete");
        return task.Result;
    }

    private static void Run(EventLoop loop, Func<Task> call) => Await(loop, async () => { await call(); return 0; });

    [Fact]
    public void ATaskCreatedAgainAfterItsQueueWasLostIsQueuedAgainAndPlaced()
    {
        // The crash tests found it: a service whose report from a task was lost resumes it with CreateAsync; the task
        // grain took that for a duplicate and did nothing, so a scheduler that had lost its queue never saw it again.
        var (loop, runtime, cluster) = World();
        var spec = ServiceSpec.Create("s", "img:1", 1, new Resources(100, 1 << 20));
        Run(loop, () => runtime.GetGrain<IServiceGrain>("s").CreateAsync(spec));
        var task = runtime.GetGrain<ITaskGrain>("s.1.0");
        Assert.Equal(TaskState.Pending, Await(loop, task.GetAsync)!.State); // no node yet
        Run(loop, () => runtime.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key).CancelAsync("s.1.0")); // the queue is lost
        var taskSpec = new TaskSpec("s.1.0", "s", 1, 0, 1, "img:1", spec.Resources, [], [], new Dictionary<string, string>());
        Run(loop, () => task.CreateAsync(taskSpec, PlacementSpec.None)); // what a resumed service sends
        cluster.AddHost("n1");
        Run(loop, () => runtime.GetGrain<IClusterGrain>(IClusterGrain.Key).AddNodeAsync(new NodeSpec("n1", new Resources(1000, 1 << 30), new Dictionary<string, string>())));
        loop.Run(loop.Now + 10 * TimeSpan.TicksPerSecond);
        Assert.Equal(TaskState.Running, Await(loop, task.GetAsync)!.State);
        Assert.Equal(1, Await(loop, runtime.GetGrain<IServiceGrain>("s").GetAsync)!.Running);
    }

    [Fact]
    public void ANodeJoinsWithTheCapacityItsHostReportsAndAHostThatDoesNotAnswerIsRefused()
    {
        var (loop, runtime, cluster) = World();
        cluster.AddHost("n1", new Resources(2000, 4L << 30));
        var labels = new Dictionary<string, string> { ["rack"] = "r1" };
        var info = Await(loop, () => runtime.GetGrain<INodeGrain>("n1").JoinAsync(new NodeJoin("sim://n1", null, null, labels)));
        Assert.Equal(new Resources(2000, 4L << 30), info.Spec.Capacity);
        Assert.Equal("r1", info.Spec.Label("rack"));
        var given = Await(loop, () => runtime.GetGrain<INodeGrain>("n1").JoinAsync(new NodeJoin("sim://n1", 500, null, labels)));
        Assert.Equal(500, given.Spec.Capacity.CpuMillis);

        Task<NodeInfo> ghost = null!;
        loop.Schedule(loop.Now, _ => ghost = runtime.GetGrain<INodeGrain>("ghost").JoinAsync(new NodeJoin("sim://ghost", null, null, labels)), null);
        loop.Run(loop.Now + 10 * TimeSpan.TicksPerSecond);
        var error = Assert.IsType<ArgumentException>(ghost.Exception!.InnerException);
        Assert.Contains("docker: cannot reach sim://ghost", error.Message);
        Assert.Null(Await(loop, () => runtime.GetGrain<IClusterGrain>(IClusterGrain.Key).GetNodeAsync("ghost"))); // nothing stored
    }
}
