using System.Globalization;
using Orca.Simulator.Scenarios;

namespace Orca.Simulator.Properties;

/// <summary>
/// Property 11: a generated cluster and services (without their fault schedule), every service then updated to a
/// version whose containers crash within seconds, with the failure action rollback. Each service whose replicas the
/// cluster can hold must end on the previous spec with every replica running, rolled back exactly once (version 3:
/// created, updated, rolled back; a rollback that rolled back again would be version 4 or more).
/// </summary>
public static class DeploymentProperties
{
    public static readonly TimeSpan ServicesAt = TimeSpan.FromSeconds(10), UpdateAt = TimeSpan.FromSeconds(90), End = TimeSpan.FromMinutes(8);

    private const string UpdatePolicy = "fail-after=3s update-failure-action=rollback update-monitor=20s update-parallelism=2 rollback-monitor=5s";

    /// <summary>The services judged: those with replicas that the live cluster can hold in full.</summary>
    public static List<string> Judged(CheckCase c)
    {
        var calm = c with { Faults = [] };
        var (ample, running) = ReconciliationProperties.Expected(calm);
        return !ample ? [] : [.. calm.Services.Where(s => s.Replicas > 0 && running.GetValueOrDefault(s.Name) == s.Replicas).Select(s => s.Name)];
    }

    public static string ToScenario(CheckCase c, CheckContext ctx, IReadOnlyList<string> header)
    {
        var calm = c with { Faults = [] };
        var judged = Judged(c);
        var expects = new List<(string, string)> { ("cluster", "violations=0") };
        expects.AddRange(calm.Services.Where(s => judged.Contains(s.Name))
            .Select(s => (s.Name, string.Create(CultureInfo.InvariantCulture, $"running={s.Replicas} deployment=rollback_completed version=3"))));
        var csv = CaseScenario.ToCsv(calm, header, ServicesAt, End, ctx.DisabledFilters, expects);
        var at = $"{UpdateAt.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";
        var updates = string.Concat(calm.Services.Select(s => $"{at},update-service,{s.Name},image={s.ImageName}-bad {UpdatePolicy}\n"));
        int firstEnd = csv.IndexOf($"\n{End.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s,", StringComparison.Ordinal);
        return firstEnd < 0 ? csv + updates : csv.Insert(firstEnd + 1, updates);
    }

    /// <summary>11. An update to a failing version with failure action rollback ends on the previous spec with every
    /// replica running, and the rollback does not roll back again.</summary>
    public static string? RollsBack(CheckCase c, CheckContext ctx)
    {
        var r = Simulation.Run(ScenarioParser.Parse(ToScenario(c, ctx, []), "case.csv"), new SimulationOptions { Seed = 1 });
        var failed = r.Summary.Expects.Where(e => !e.Passed).Take(2).ToList();
        return failed.Count == 0 ? null : string.Join("; ", failed.Select(e => $"{e.Target}: {string.Join(", ", e.Failures)}"));
    }
}
