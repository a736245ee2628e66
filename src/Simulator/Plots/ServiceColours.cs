using ScottPlot;

namespace Orca.Simulator.Plots;

/// <summary>The busiest services get the palette's colours; the rest share one grey, named "other services".</summary>
public sealed class ServiceColours
{
    private readonly Dictionary<string, Color> _colours = new(StringComparer.Ordinal);

    private readonly Dictionary<string, int> _rank = new(StringComparer.Ordinal);

    private readonly Func<string, string> _key;

    /// <param name="byFamily">With more services than colours, colour by family (the name without its trailing
    /// number: web001…web100 are "web*") when that leaves no more families than colours.</param>
    public ServiceColours(IEnumerable<(string Service, long Weight)> services, int named, bool byFamily = false)
    {
        var list = services.ToList();
        int distinct = list.Select(s => s.Service).Distinct().Count();
        _key = s => s;
        if (byFamily && distinct > named && list.Select(s => Family(s.Service)).Distinct().Count() <= named)
        {
            _key = Family;
            FamilySizes = list.Select(s => s.Service).Distinct().GroupBy(Family).ToDictionary(g => g.Key, g => g.Count());
        }
        var ordered = list.GroupBy(s => _key(s.Service)).Select(g => (Service: g.Key, Weight: g.Sum(x => x.Weight)))
            .OrderByDescending(s => s.Weight).ThenBy(s => s.Service, StringComparer.Ordinal).ToList();
        Named = ordered.Take(named).Select(s => s.Service).ToList();
        for (int i = 0; i < Named.Count; i++)
        {
            _colours[Named[i]] = Palette.Colour(i);
            _rank[Named[i]] = i;
        }
        HasOthers = ordered.Count > Named.Count;
    }

    public IReadOnlyList<string> Named { get; }
    public bool HasOthers { get; }

    /// <summary>Services per family, when colouring by family.</summary>
    public IReadOnlyDictionary<string, int>? FamilySizes { get; }

    /// <summary>The colour group a service belongs to: itself, or its family.</summary>
    public string Group(string service) => _key(service);

    public Color Of(string service) => _colours.GetValueOrDefault(_key(service), Palette.Other);

    public static string Family(string service) => service.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9') is { Length: > 0 } stem && stem.Length < service.Length ? stem + "*" : service;

    /// <summary>A colour group's place in the legend; groups without a colour of their own come last.</summary>
    public int Rank(string group) => _rank.TryGetValue(group, out var i) ? i : int.MaxValue;

    public List<Key> Legend()
    {
        var items = Named.Select(s => new Key(FamilySizes?.TryGetValue(s, out var n) == true ? $"{s} ({n} services)" : s, _colours[s])).ToList();
        if (HasOthers) items.Add(new Key("other services", Palette.Other));
        return items;
    }
}
