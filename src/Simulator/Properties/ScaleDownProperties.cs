using System.Globalization;
using Orca.Simulator.Scenarios;

namespace Orca.Simulator.Properties;

/// <summary>
/// Property 13: a scale-down keeps a service spread over racks within one where it was. The generated cluster and
/// services (without their faults) are created; at 2 minutes every service spread over <c>node.labels.rack</c> alone is
/// scaled down to a third of its replicas; its rack spread (max − min over the racks that hold its tasks or could take
/// one) is measured just before and after. A service whose spread was within one before must be within one after
/// (Marathon's kill selection and SwarmKit's scale-down both take from the most loaded value, recounting each time).
/// </summary>
public static class ScaleDownProperties
{
    public static readonly TimeSpan ServicesAt = TimeSpan.FromSeconds(10), ScaleAt = TimeSpan.FromSeconds(120), End = TimeSpan.FromSeconds(240);

    public static List<ServiceCase> Judged(CheckCase c) =>
        [.. c.Services.Where(s => s.Spread is ["node.labels.rack"] && s.Replicas >= 3)];

    private static int Target(ServiceCase s) => s.Replicas / 3;

    public static string ToScenario(CheckCase c, CheckContext ctx, IReadOnlyList<string> header)
    {
        var judged = Judged(c);
        var scaled = c with { Faults = [.. judged.Select(s => new FaultCase((int)ScaleAt.TotalSeconds, FaultCaseKind.Scale, s.Name, Target(s)))] };
        var csv = CaseScenario.ToCsv(scaled, header, ServicesAt, End, ctx.DisabledFilters, judged.Select(s => (s.Name, "rack-spread<=1")));
        string before = Seconds(ScaleAt - TimeSpan.FromSeconds(1));
        var expects = string.Concat(judged.Select(s => $"{before},expect,{s.Name},rack-spread<=1\n"));
        int at = csv.IndexOf($"\n{Seconds(ScaleAt)},", StringComparison.Ordinal);
        return at < 0 ? csv + expects : csv.Insert(at + 1, expects);
    }

    /// <summary>13. The spread after the scale-down is within one wherever it was before.</summary>
    public static string? KeepsSpread(CheckCase c, CheckContext ctx)
    {
        var r = Simulation.Run(ScenarioParser.Parse(ToScenario(c, ctx, []), "case.csv"), new SimulationOptions { Seed = 1 });
        foreach (var s in Judged(c))
        {
            var mine = r.Summary.Expects.Where(e => e.Target == s.Name).OrderBy(e => e.AtSeconds).ToList();
            if (mine.Count == 2 && mine[0].Passed && !mine[1].Passed)
                return $"{s.Name}: {string.Join(", ", mine[1].Failures)} after scaling {s.Replicas} down to {Target(s)} (within one before)";
        }
        return null;
    }

    private static string Seconds(TimeSpan t) => ((long)t.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
}
