using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Orca.Grains.Model;

namespace Orca.Grains.Scheduling;

/// <summary>A hard constraint that depends only on the node (not on where other tasks are).</summary>
public abstract class NodePredicate(string text)
{
    /// <summary>The constraint as the user wrote it.</summary>
    public string Text { get; } = text;

    public abstract bool Matches(NodeSpec node);

    public override string ToString() => Text;
}

/// <summary>Swarm <c>==</c>/<c>!=</c> (values compared without regard to case, as Swarm does), Marathon
/// <c>CLUSTER:value</c>/<c>IS:value</c> (compared exactly, as Marathon does). As in Swarm, <c>!=</c> also matches
/// nodes that lack the label; <c>==</c> never does.</summary>
public sealed class EqualsPredicate(string text, NodeAttribute attribute, string value, bool negate,
    StringComparison comparison = StringComparison.Ordinal) : NodePredicate(text)
{
    public override bool Matches(NodeSpec node)
    {
        var actual = attribute.ValueOf(node);
        bool equal = actual is not null && string.Equals(actual, value, comparison);
        return equal != negate;
    }
}

/// <summary>Swarm <c>node.ip==ADDRESS</c> or <c>node.ip!=10.0.0.0/8</c>: the node's address equals the address or
/// lies in the network. A node without an address is in no network (<c>!=</c> matches it). A malformed address is
/// refused when the constraint is read (Swarm accepts it and then places nothing).</summary>
public sealed class IpPredicate : NodePredicate
{
    private readonly IPNetwork _network;
    private readonly bool _negate;

    private IpPredicate(string text, IPNetwork network, bool negate) : base(text)
    {
        _network = network;
        _negate = negate;
    }

    public static IpPredicate Parse(string text, string value, bool negate)
    {
        if (IPAddress.TryParse(value, out var ip)) return new(text, new IPNetwork(ip, ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128), negate);
        if (IPNetwork.TryParse(value, out var network)) return new(text, network, negate);
        throw new ConstraintException($"invalid constraint '{text}': '{value}' is neither an IP address (10.0.0.5, 2001:db8::2) nor a network (10.0.0.0/24)");
    }

    public override bool Matches(NodeSpec node)
    {
        bool within = node.Description?.Address is { } a && IPAddress.TryParse(a, out var ip) && _network.Contains(ip);
        return within != _negate;
    }
}

/// <summary>Marathon <c>LIKE</c>/<c>UNLIKE</c>: the whole value must (not) match the regular expression.
/// A node without the attribute fails LIKE and passes UNLIKE.</summary>
public sealed class RegexPredicate(string text, NodeAttribute attribute, Regex pattern, bool negate) : NodePredicate(text)
{
    public override bool Matches(NodeSpec node)
    {
        var actual = attribute.ValueOf(node);
        if (actual is null) return negate;
        return pattern.IsMatch(actual) != negate;
    }
}
