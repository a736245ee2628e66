using System.Globalization;
using Orleans;

namespace Orca.Grains.Model;

/// <summary>
/// A named kind of discrete resource, as Swarm has them (<c>--generic-resource</c>): on a node either a count
/// (<c>gpu=4</c>, <c>apple=10</c>) or a set of named units (<c>gpu=GPU-0,GPU-1</c>, <see cref="Names"/>); asked by a
/// task as a count (<c>gpu=1</c>); given to a task as a count or as the names it holds.
/// </summary>
[GenerateSerializer, Immutable, Alias("orca.GenericResource")]
public sealed record GenericResource([property: Id(0)] string Kind, [property: Id(1)] long Count, [property: Id(2)] IReadOnlyList<string>? Names = null)
{
    public override string ToString() => Names is null ? $"{Kind}={Count.ToString(CultureInfo.InvariantCulture)}" : $"{Kind}={string.Join(',', Names)}";
}

public static class GenericResources
{
    public static readonly IReadOnlyList<GenericResource> None = [];

    /// <summary>Reads <c>KIND=N</c> or, for a node (<paramref name="named"/>), <c>KIND=NAME,NAME,…</c>; the same kind
    /// twice is refused. <paramref name="field"/> names the option or key in messages.</summary>
    /// <param name="removing">A node update: <c>KIND=0</c> removes the kind.</param>
    public static IReadOnlyList<GenericResource> Parse(IEnumerable<string> terms, string field, bool named, bool removing = false)
    {
        var list = new List<GenericResource>();
        foreach (var term in terms)
        {
            int eq = term.IndexOf('=');
            var kind = eq > 0 ? term[..eq].Trim() : "";
            var value = eq > 0 ? term[(eq + 1)..].Trim() : "";
            if (!IsKind(kind) || value.Length == 0)
                throw new ArgumentException($"{field} {term}: expected KIND={(named ? "COUNT or KIND=NAME,NAME" : "COUNT")}, e.g. gpu={(named ? "2 or gpu=GPU-0,GPU-1" : "1")}");
            int known = list.FindIndex(g => g.Kind == kind);
            if (value.StartsWith('-')) throw new ArgumentException($"{field} {term}: cannot ask for a negative count of {kind}");
            if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                if (known >= 0) throw new ArgumentException($"{field} {term}: {kind} is given twice");
                if (count == 0 && named && !removing) throw new ArgumentException($"{field} {term}: the count must be more than 0");
                list.Add(new GenericResource(kind, count));
                continue;
            }
            if (!named) throw new ArgumentException($"{field} {term}: a task asks for a count of {kind}, e.g. {kind}=1");
            var names = value.Split(',', StringSplitOptions.TrimEntries);
            if (names.Any(n => n.Length == 0 || long.TryParse(n, out _)))
                throw new ArgumentException($"{field} {term}: a set of {kind} is names, none of them empty or a number (e.g. {kind}=GPU-0,GPU-1)");
            // Swarm's form, one name per term (gpu=GPU-0 gpu=GPU-1), adds to the set; a count and names of one kind do not mix.
            if (known >= 0 && list[known].Names is null) throw new ArgumentException($"{field} {term}: {kind} mixes a count and names");
            var all = known >= 0 ? [.. list[known].Names!, .. names] : names;
            if (all.Distinct(StringComparer.Ordinal).Count() != all.Length) throw new ArgumentException($"{field} {term}: a name of {kind} is given twice");
            var set = new GenericResource(kind, all.Length, all);
            if (known >= 0) list[known] = set; else list.Add(set);
        }
        return list;
    }

    private static bool IsKind(string kind) =>
        kind.Length is > 0 and <= 63 && char.IsAsciiLetter(kind[0]) && kind.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>How many units of <paramref name="kind"/> the list holds (0 when none).</summary>
    public static long CountOf(this IReadOnlyList<GenericResource>? list, string kind)
    {
        if (list is null) return 0;
        foreach (var g in list)
            if (g.Kind == kind) return g.Count;
        return 0;
    }

    /// <summary>Swarm's environment for what a task was given: <c>DOCKER_RESOURCE_GPU=GPU-0,GPU-1</c> for named units,
    /// <c>DOCKER_RESOURCE_APPLE=2</c> for a count.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Environment(IReadOnlyList<GenericResource>? given)
    {
        foreach (var g in given ?? None)
            yield return new("DOCKER_RESOURCE_" + g.Kind.ToUpperInvariant().Replace('-', '_').Replace('.', '_'),
                g.Names is null ? g.Count.ToString(CultureInfo.InvariantCulture) : string.Join(',', g.Names));
    }

    /// <summary>Equal by value (record equality compares the name lists by reference).</summary>
    public static bool Same(IReadOnlyList<GenericResource>? a, IReadOnlyList<GenericResource>? b)
    {
        a ??= None;
        b ??= None;
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++)
        {
            var (x, y) = (a[i], b[i]);
            if (x.Kind != y.Kind || x.Count != y.Count || (x.Names is null) != (y.Names is null)) return false;
            if (x.Names is not null && !x.Names.SequenceEqual(y.Names!)) return false;
        }
        return true;
    }
}
