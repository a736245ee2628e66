namespace Orca.Grains.Model;

/// <summary>Rejects a node spec a user got wrong, naming the field.</summary>
public static class NodeSpecValidator
{
    public static void Validate(NodeSpec spec)
    {
        if (!Names.IsValid(spec.Id)) throw new ArgumentException($"node id '{spec.Id}': {Names.Rule}");
        if (spec.Capacity.CpuMillis <= 0) throw new ArgumentException($"node {spec.Id}: cpu must be more than 0");
        if (spec.Capacity.MemoryBytes <= 0) throw new ArgumentException($"node {spec.Id}: memory must be more than 0");
        foreach (var (k, _) in spec.Labels)
            if (string.IsNullOrWhiteSpace(k)) throw new ArgumentException($"node {spec.Id}: a label has an empty name");
    }
}

/// <summary>Names of services and nodes: they become parts of task ids and container labels.</summary>
public static class Names
{
    public const string Rule = "use 1 to 63 letters, digits, '-' or '_', starting with a letter or digit";

    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= 63 } && char.IsAsciiLetterOrDigit(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
