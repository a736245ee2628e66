using System.Globalization;

namespace Orca.Grains.Scheduling;

/// <summary>
/// Kubernetes' topology spread constraint (<c>topologySpreadConstraints</c>), written <c>KEY:MAXSKEW[:WHEN[:MINDOMAINS]]</c>:
/// <c>zone:1</c>, <c>node.labels.rack:2:DoNotSchedule:3</c>, <c>hostname:1:ScheduleAnyway</c>. With DoNotSchedule (the
/// default) a node may take a task only if, counting it, its domain holds at most <see cref="MaxSkew"/> more of the
/// service's tasks than the emptiest eligible domain; when fewer than <see cref="MinDomains"/> domains are eligible the
/// emptiest counts as 0, so the tasks wait rather than pile up. A node without the key is out. ScheduleAnyway is a
/// preference: the key becomes a spread level (the emptiest domain first), nothing is refused.
/// </summary>
public sealed record TopologySpread(NodeAttribute Key, int MaxSkew, bool Hard, int MinDomains, string Text)
{
    public static TopologySpread Parse(string text)
    {
        var parts = text.Trim().Split(':');
        string Bad(string why) => throw new ConstraintException(
            $"invalid topology spread '{text}': {why}; expected KEY:MAXSKEW[:DoNotSchedule|ScheduleAnyway[:MINDOMAINS]], e.g. zone:1 or node.labels.rack:2:DoNotSchedule:3");
        if (parts.Length is < 2 or > 4) Bad("wrong number of fields");
        var key = NodeAttribute.ParseEither(parts[0].Trim()) ?? throw new ConstraintException(
            $"invalid topology spread '{text}': '{parts[0]}' is not a node attribute such as zone, hostname or node.labels.rack");
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int skew) || skew < 1) Bad("the max skew is a whole number of 1 or more");
        bool hard = true;
        if (parts.Length > 2)
        {
            if (parts[2].Equals("DoNotSchedule", StringComparison.OrdinalIgnoreCase)) hard = true;
            else if (parts[2].Equals("ScheduleAnyway", StringComparison.OrdinalIgnoreCase)) hard = false;
            else Bad($"'{parts[2]}' is neither DoNotSchedule nor ScheduleAnyway");
        }
        int minDomains = 1;
        if (parts.Length > 3)
        {
            if (!int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out minDomains) || minDomains < 1) Bad("min domains is a whole number of 1 or more");
            if (!hard) Bad("min domains goes with DoNotSchedule only, as in Kubernetes");
        }
        return new TopologySpread(key, skew, hard, minDomains, text.Trim());
    }
}

/// <summary>The service's tasks per domain of one hard topology spread over the eligible domains, with the smallest
/// count kept up to date in O(1) per task (a histogram of counts), so a key with a domain per node stays cheap.</summary>
internal sealed class TopologyCounts
{
    private readonly Dictionary<string, int> _perDomain = new(StringComparer.Ordinal);
    private readonly Dictionary<int, int> _domainsWithCount = new();
    private int _min;

    public TopologyCounts(TopologySpread spread, IEnumerable<string> domains, Dictionary<string, int> held)
    {
        Spread = spread;
        foreach (var d in domains)
        {
            if (_perDomain.ContainsKey(d)) continue;
            int n = held.GetValueOrDefault(d);
            _perDomain[d] = n;
            _domainsWithCount[n] = _domainsWithCount.GetValueOrDefault(n) + 1;
        }
        _min = _perDomain.Count == 0 ? 0 : _perDomain.Values.Min();
    }

    public TopologySpread Spread { get; }

    /// <summary>The emptiest eligible domain's count; 0 while fewer than min-domains domains are eligible.</summary>
    public int GlobalMin => _perDomain.Count < Spread.MinDomains ? 0 : _min;

    public bool Allows(string? domain) =>
        domain is not null && _perDomain.TryGetValue(domain, out int n) && n + 1 - GlobalMin <= Spread.MaxSkew;

    public void Took(string? domain)
    {
        if (domain is null || !_perDomain.TryGetValue(domain, out int n)) return;
        _perDomain[domain] = n + 1;
        _domainsWithCount[n + 1] = _domainsWithCount.GetValueOrDefault(n + 1) + 1;
        if (--_domainsWithCount[n] == 0)
        {
            _domainsWithCount.Remove(n);
            if (n == _min) _min = n + 1;
        }
    }
}
