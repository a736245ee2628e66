using Orca.Grains.Runtime;

namespace Orca.Grains.Grains;

/// <summary>What either host does after grains moved between silos: wake the cluster grain (it tells the scheduler
/// every node and wakes every node grain) and every service (its live tasks re-announce themselves).</summary>
public static class ControlPlane
{
    public static async Task ResumeAsync(IGrainFactory grains, IEnumerable<string> services)
    {
        await grains.GetGrain<IClusterGrain>(IClusterGrain.Key).ResumeAsync();
        foreach (var service in services) await grains.GetGrain<IServiceGrain>(service).ResumeAsync();
    }
}
