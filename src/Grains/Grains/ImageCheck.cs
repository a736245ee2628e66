using Orleans;

namespace Orca.Grains.Grains;

/// <summary>
/// A service is refused when its image is on no node and no node's registry knows it, so a typo is a 400 at create
/// instead of tasks that fail forever. A few ready nodes are asked in turn (one answer suffices; asking every node of a
/// large cluster would cost a message each); with no ready node there is nobody to ask and the tasks wait, pending.
/// </summary>
internal static class ImageCheck
{
    public const int NodesAsked = 3;

    public static async Task EnsureAsync(IGrainFactory grains, string image)
    {
        var nodes = await grains.GetGrain<IClusterGrain>(IClusterGrain.Key).ReadyNodesAsync(NodesAsked);
        string? reason = null;
        foreach (var node in nodes)
        {
            reason = await grains.GetGrain<INodeGrain>(node).ResolveImageAsync(image);
            if (reason is null) return;
        }
        if (reason is not null) throw new ArgumentException($"image: {image} is on no node and its registry does not know it: {reason}");
    }
}
