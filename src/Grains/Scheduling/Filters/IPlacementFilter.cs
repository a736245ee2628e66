namespace Orca.Grains.Scheduling.Filters;

/// <summary>One feasibility check, SwarmKit-style: does the node pass, and how to say why it did not.</summary>
public interface IPlacementFilter
{
    string Name { get; }

    /// <summary>True when the answer depends only on the node, not on what the batch placed, so it is checked
    /// once per group instead of once per task.</summary>
    bool IsStatic { get; }

    bool Check(GroupContext group, SchedulingNode node);

    /// <summary>"insufficient memory on 7 nodes".</summary>
    string Explain(int nodes);
}

internal static class Plural
{
    public static string Nodes(int n) => n == 1 ? "1 node" : $"{n} nodes";
}
