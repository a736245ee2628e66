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

/// <summary>Swarm <c>==</c>/<c>!=</c>, Marathon <c>CLUSTER:value</c>/<c>IS:value</c>. As in Swarm, <c>!=</c> also matches
/// nodes that lack the label; <c>==</c> never does.</summary>
public sealed class EqualsPredicate(string text, NodeAttribute attribute, string value, bool negate) : NodePredicate(text)
{
    public override bool Matches(NodeSpec node)
    {
        var actual = attribute.ValueOf(node);
        bool equal = actual is not null && string.Equals(actual, value, StringComparison.Ordinal);
        return equal != negate;
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
