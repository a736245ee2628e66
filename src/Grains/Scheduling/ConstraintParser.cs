using System.Globalization;
using System.Text.RegularExpressions;

namespace Orca.Grains.Scheduling;

public abstract record ParsedConstraint
{
    public sealed record Predicate(NodePredicate Value) : ParsedConstraint;
    public sealed record Limit(AttributeLimit Value) : ParsedConstraint;
    public sealed record GroupBy(NodeAttribute Attribute, int? Groups) : ParsedConstraint;

    /// <summary>Marathon <c>CLUSTER</c> without a value: every task on the value the first task took.</summary>
    public sealed record Pin(NodeAttribute Attribute) : ParsedConstraint;
}

/// <summary>Reads one constraint in either dialect users know:
/// Swarm <c>node.labels.rack==r1</c>, <c>node.role!=manager</c>, <c>node.hostname==h</c>, <c>node.id==n</c>;
/// Marathon <c>rack:UNIQUE</c>, <c>rack:MAX_PER:2</c>, <c>rack:GROUP_BY[:3]</c>, <c>rack:LIKE:r[1-4]</c>,
/// <c>rack:UNLIKE:re</c>, <c>zone:CLUSTER:z1</c>, <c>zone:IS:z1</c>.</summary>
public static class ConstraintParser
{
    private const string Expected =
        "expected a Swarm expression (node.labels.NAME==VALUE, node.role!=manager, node.hostname==H, node.id==ID) " +
        "or a Marathon one (FIELD:UNIQUE, FIELD:MAX_PER:N, FIELD:GROUP_BY[:N], FIELD:LIKE:REGEX, FIELD:UNLIKE:REGEX, FIELD:CLUSTER:VALUE)";

    public static ParsedConstraint Parse(string text)
    {
        var s = text.Trim();
        if (s.Length == 0) throw new ConstraintException($"empty constraint: {Expected}");
        int eq = s.IndexOf("==", StringComparison.Ordinal);
        int ne = s.IndexOf("!=", StringComparison.Ordinal);
        if (eq >= 0 || ne >= 0) return ParseSwarm(text, s, eq, ne);
        if (s.Contains(':')) return ParseMarathon(text, s);
        throw new ConstraintException($"invalid constraint '{text}': {Expected}");
    }

    /// <summary>SwarmKit's manager/constraint/constraint.go key and value rules: a key of letters, digits, '-', '_'
    /// and '.', starting with a letter or '_'; a value that may hold spaces and regular-expression characters but no
    /// operator characters such as '&lt;', '&gt;', '~', '=' or '!'.</summary>
    private static readonly Regex SwarmKey = new(@"^[a-z_][a-z0-9\-_.]+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex SwarmValue = new(@"^[a-z0-9:\-_\s\.\*\(\)\?\+\[\]\\\^\$\|\/]+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static ParsedConstraint ParseSwarm(string text, string s, int eq, int ne)
    {
        bool negate = ne >= 0 && (eq < 0 || ne < eq);
        int at = negate ? ne : eq;
        var field = s[..at].Trim();
        var value = s[(at + 2)..].Trim();
        if (!SwarmKey.IsMatch(field)) throw new ConstraintException($"invalid constraint '{text}': key '{field}' is invalid (letters, digits, '-', '_' and '.', starting with a letter or '_')");
        var attribute = NodeAttribute.ParseSwarm(field)
            ?? throw new ConstraintException($"invalid constraint '{text}': unknown field '{field}'; expected node.id, node.hostname, node.role, node.ip, node.platform.os, node.platform.arch, node.labels.NAME or engine.labels.NAME");
        if (value.Length == 0) throw new ConstraintException($"invalid constraint '{text}': missing value after '{(negate ? "!=" : "==")}'");
        if (value.Contains("==") || value.Contains("!=")) throw new ConstraintException($"invalid constraint '{text}': one operator per constraint");
        if (!SwarmValue.IsMatch(value)) throw new ConstraintException($"invalid constraint '{text}': value '{value}' is invalid (no operator characters such as <, >, ~, =, !)");
        if (attribute.IsRole && !value.Equals("manager", StringComparison.OrdinalIgnoreCase) && !value.Equals("worker", StringComparison.OrdinalIgnoreCase))
            throw new ConstraintException($"invalid constraint '{text}': node.role is manager or worker, not '{value}'");
        if (attribute.IsIp) return new ParsedConstraint.Predicate(IpPredicate.Parse(text.Trim(), value, negate));
        return new ParsedConstraint.Predicate(new EqualsPredicate(text.Trim(), attribute, value, negate, StringComparison.OrdinalIgnoreCase));
    }

    private static ParsedConstraint ParseMarathon(string text, string s)
    {
        var parts = s.Split(':', 3);
        var field = parts[0].Trim();
        var op = parts.Length > 1 ? parts[1].Trim() : "";
        string? value = parts.Length > 2 ? parts[2] : null;
        if (!NodeAttribute.IsIdentifier(field)) throw new ConstraintException($"invalid constraint '{text}': '{field}' is not an attribute name; {Expected}");
        var attribute = NodeAttribute.ParseMarathon(field);
        var display = text.Trim();
        switch (op.ToUpperInvariant())
        {
            case "UNIQUE":
                NoValue(text, op, value);
                return new ParsedConstraint.Limit(new AttributeLimit(attribute, 1, display));
            case "MAX_PER":
                return new ParsedConstraint.Limit(new AttributeLimit(attribute, PositiveInt(text, op, value), display));
            case "GROUP_BY":
                return new ParsedConstraint.GroupBy(attribute, value is null ? null : PositiveInt(text, op, value));
            case "LIKE":
            case "UNLIKE":
                return new ParsedConstraint.Predicate(new RegexPredicate(display, attribute, Pattern(text, op, value), op.Equals("UNLIKE", StringComparison.OrdinalIgnoreCase)));
            case "CLUSTER" when string.IsNullOrWhiteSpace(value):
                return new ParsedConstraint.Pin(attribute);
            case "CLUSTER":
            case "IS":
                if (string.IsNullOrWhiteSpace(value))
                    throw new ConstraintException($"invalid constraint '{text}': {op} needs a value, e.g. {field}:{op}:z1");
                return new ParsedConstraint.Predicate(new EqualsPredicate(display, attribute, value.Trim(), negate: false));
            default:
                throw new ConstraintException($"invalid constraint '{text}': unknown operator '{op}'; expected UNIQUE, MAX_PER, GROUP_BY, LIKE, UNLIKE, CLUSTER or IS");
        }
    }

    private static void NoValue(string text, string op, string? value)
    {
        if (value is not null) throw new ConstraintException($"invalid constraint '{text}': {op} takes no value");
    }

    private static int PositiveInt(string text, string op, string? value)
    {
        if (value is null || !int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            throw new ConstraintException($"invalid constraint '{text}': {op} needs a whole number of 1 or more, e.g. rack:{op}:2");
        return n;
    }

    private static Regex Pattern(string text, string op, string? value)
    {
        if (string.IsNullOrEmpty(value)) throw new ConstraintException($"invalid constraint '{text}': {op} needs a regular expression, e.g. rack:{op}:r[1-4]");
        try
        {
            return new Regex($"^(?:{value})$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (ArgumentException e)
        {
            throw new ConstraintException($"invalid constraint '{text}': '{value}' is not a valid regular expression ({e.Message})");
        }
    }
}
