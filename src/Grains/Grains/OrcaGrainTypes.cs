using Orca.Grains.Runtime;

namespace Orca.Grains.Grains;

/// <summary>The grain classes of Orca, for a host to activate.</summary>
public static class OrcaGrainTypes
{
    public static GrainTypeRegistry Registry() => new GrainTypeRegistry()
        .Register<IClusterGrain>((ctx, services) => new ClusterGrain(ctx, services))
        .Register<INodeGrain>((ctx, services) => new NodeGrain(ctx, services))
        .Register<ITaskGrain>((ctx, services) => new TaskGrain(ctx, services))
        .Register<IServiceGrain>((ctx, services) => new ServiceGrain(ctx, services))
        .Register<ISchedulerGrain>((ctx, _) => new SchedulerGrain(ctx));
}
