using Orca.Grains.Model;

namespace Orca.Grains.Scheduling;

/// <summary>A property of a node that constraints and spread preferences refer to: its id, hostname, role, address,
/// platform, a node label or an engine label. Swarm writes <c>node.labels.rack</c>, Marathon writes <c>rack</c>; both
/// resolve to the same attribute.</summary>
public sealed class NodeAttribute : IEquatable<NodeAttribute>
{
    private enum Kind { Id, Hostname, Role, Label, EngineLabel, Ip, Os, Arch }

    private readonly Kind _kind;
    private readonly string _label;

    private NodeAttribute(Kind kind, string label, string display)
    {
        _kind = kind;
        _label = label;
        Display = display;
    }

    /// <summary>How the user wrote it, for messages.</summary>
    public string Display { get; }

    /// <summary>The node's value, or null when it has none (no such label; no description from its engine).</summary>
    public string? ValueOf(NodeSpec node) => _kind switch
    {
        Kind.Id => node.Id,
        Kind.Hostname => node.Description?.Hostname is { Length: > 0 } h ? h : node.Label("hostname") ?? node.Id,
        Kind.Role => node.Role == NodeRole.Manager ? "manager" : "worker",
        Kind.EngineLabel => node.Description?.EngineLabels.GetValueOrDefault(_label),
        Kind.Ip => node.Description?.Address,
        Kind.Os => node.Description?.Os,
        Kind.Arch => node.Description?.Arch,
        _ => node.Label(_label),
    };

    public bool IsIp => _kind == Kind.Ip;
    public bool IsRole => _kind == Kind.Role;

    /// <summary>Swarm field: <c>node.id</c>, <c>node.hostname</c>, <c>node.role</c>, <c>node.ip</c>,
    /// <c>node.platform.os</c>, <c>node.platform.arch</c>, <c>node.labels.NAME</c>, <c>engine.labels.NAME</c>. As in
    /// Swarm the field is matched without regard to case, the label name after the prefix with it. Returns null when
    /// the field is not one of these.</summary>
    public static NodeAttribute? ParseSwarm(string field)
    {
        field = field.Trim();
        switch (field.ToLowerInvariant())
        {
            case "node.id": return new(Kind.Id, "", field);
            case "node.hostname": return new(Kind.Hostname, "", field);
            case "node.role": return new(Kind.Role, "", field);
            case "node.ip": return new(Kind.Ip, "", field);
            case "node.platform.os": return new(Kind.Os, "", field);
            case "node.platform.arch": return new(Kind.Arch, "", field);
        }
        foreach (var (prefix, kind) in (ReadOnlySpan<(string, Kind)>)[("node.labels.", Kind.Label), ("engine.labels.", Kind.EngineLabel)])
            if (field.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && field.Length > prefix.Length)
                return new(kind, field[prefix.Length..], field);
        return null;
    }

    /// <summary>Marathon field: <c>hostname</c> or any attribute name (a node label).</summary>
    public static NodeAttribute ParseMarathon(string field) => field switch
    {
        "hostname" => new(Kind.Hostname, "", field),
        _ => new(Kind.Label, field, field),
    };

    /// <summary>A spread or group-by key in either dialect.</summary>
    public static NodeAttribute? ParseEither(string field) =>
        field.StartsWith("node.", StringComparison.OrdinalIgnoreCase) || field.StartsWith("engine.", StringComparison.OrdinalIgnoreCase)
            ? ParseSwarm(field)
            : IsIdentifier(field) ? ParseMarathon(field) : null;

    internal static bool IsIdentifier(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/');

    public bool Equals(NodeAttribute? other) => other is not null && _kind == other._kind && _label == other._label;
    public override bool Equals(object? obj) => Equals(obj as NodeAttribute);
    public override int GetHashCode() => HashCode.Combine(_kind, _label);
    public override string ToString() => Display;
}
