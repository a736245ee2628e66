using Orleans;

namespace Orca.Grains.Grains;

/// <summary>
/// A service is refused when its image is on no node and no node's registry knows it, so a typo is a 400 at create
/// instead of tasks that fail forever. A few ready nodes are asked at once (one answer suffices; asking every node of
/// a large cluster would cost a message each). Only a host that answered "unknown" counts against the image: hosts
/// that do not answer say nothing, and with no ready node, or none answering, the service is accepted and its tasks
/// find out when they start.
/// </summary>
internal static class ImageCheck
{
    public const int NodesAsked = 3;

    public static async Task EnsureAsync(IGrainFactory grains, string image)
    {
        var nodes = await grains.GetGrain<IClusterGrain>(IClusterGrain.Key).ReadyNodesAsync(NodesAsked);
        if (nodes.Count == 0) return;
        var answers = await Task.WhenAll(nodes.Select(n => grains.GetGrain<INodeGrain>(n).ResolveImageAsync(image)));
        if (answers.Any(a => a.Known) || answers.FirstOrDefault(a => a.Answered) is not { } unknown) return;
        throw new ArgumentException($"image: {image} is on no node and its registry does not know it: {unknown.Reason}");
    }
}
