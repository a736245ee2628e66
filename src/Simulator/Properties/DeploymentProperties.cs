using System.Globalization;
using Orca.Simulator.Scenarios;

namespace Orca.Simulator.Properties;

/// <summary>
/// Properties 11 and 12: a generated cluster and services (without their fault schedule), every service then updated.
/// 11 updates to a version whose containers crash within seconds, with the failure action rollback: each service whose
/// replicas the cluster can hold must end on the previous spec with every replica running, rolled back exactly once
/// (version 3: created, updated, rolled back; a rollback that rolled back again would be version 4 or more).
/// 12 updates to a good version that takes seconds to pass its new health check, with a parallelism and order of its
/// own per service: while the update runs, running-and-healthy replicas never fall below replicas − parallelism
/// (stop-first) or below replicas (start-first), and a stop-first update completes with every replica on version 2.
/// </summary>
public static class DeploymentProperties
{
    public static readonly TimeSpan ServicesAt = TimeSpan.FromSeconds(10), UpdateAt = TimeSpan.FromSeconds(90);

    /// <summary>When the run ends: 8 minutes, or longer for an update of many batches (a batch of property 12 takes
    /// about 12 s: stop, start, 4 s to the first healthy check, a 5 s monitor; 20 s are allowed), so that a slow but
    /// correct update is not judged unfinished.</summary>
    public static TimeSpan EndOf(CheckCase c)
    {
        int batches = c.Services.Select(s => (s.Replicas + GoodPolicy(s).Parallelism - 1) / GoodPolicy(s).Parallelism).DefaultIfEmpty(0).Max();
        var needed = UpdateAt + TimeSpan.FromSeconds(20L * batches) + TimeSpan.FromMinutes(2);
        return needed > TimeSpan.FromMinutes(8) ? TimeSpan.FromSeconds(Math.Ceiling(needed.TotalSeconds)) : TimeSpan.FromMinutes(8);
    }

    private const string BadUpdate = "fail-after=3s update-failure-action=rollback update-monitor=20s update-parallelism=2 rollback-monitor=5s";

    /// <summary>The services judged: those with replicas that the live cluster can hold in full.</summary>
    public static List<string> Judged(CheckCase c)
    {
        var calm = c with { Faults = [] };
        var (ample, running) = ReconciliationProperties.Expected(calm);
        return !ample ? [] : [.. calm.Services.Where(s => s.Replicas > 0 && running.GetValueOrDefault(s.Name) == s.Replicas).Select(s => s.Name)];
    }

    /// <summary>The update policy property 12 gives a service: parallelism 1–3 and either order, varied by service.</summary>
    public static (int Parallelism, bool StartFirst) GoodPolicy(ServiceCase s)
    {
        int h = s.Name.Sum(ch => ch) + s.Replicas;
        return (1 + h % 3, h / 3 % 2 == 1);
    }

    public static string ToScenario(CheckCase c, CheckContext ctx, IReadOnlyList<string> header) =>
        Scenario(c, ctx, header, s => $"image={s.ImageName}-bad {BadUpdate}",
            s => string.Create(CultureInfo.InvariantCulture, $"running={s.Replicas} deployment=rollback_completed version=3"));

    public static string ToCapacityScenario(CheckCase c, CheckContext ctx, IReadOnlyList<string> header) =>
        Scenario(c, ctx, header, s =>
        {
            var (parallelism, startFirst) = GoodPolicy(s);
            return string.Create(CultureInfo.InvariantCulture,
                $"image={s.ImageName}-v2 health-cmd=true health-interval=2s healthy-after=4s update-parallelism={parallelism} update-order={(startFirst ? "start-first" : "stop-first")} update-monitor=5s");
        }, s =>
        {
            var (parallelism, startFirst) = GoodPolicy(s);
            // Start-first needs room for the extra task; in a full cluster it waits, as Swarm's does, but never dips.
            return startFirst
                ? string.Create(CultureInfo.InvariantCulture, $"running={s.Replicas} update-min-running>={s.Replicas}")
                : string.Create(CultureInfo.InvariantCulture, $"running={s.Replicas} update-min-running>={Math.Max(0, s.Replicas - parallelism)} deployment=completed version=2");
        });

    private static string Scenario(CheckCase c, CheckContext ctx, IReadOnlyList<string> header, Func<ServiceCase, string> update, Func<ServiceCase, string> expect)
    {
        var calm = c with { Faults = [] };
        var judged = Judged(c);
        var expects = new List<(string, string)> { ("cluster", "violations=0") };
        expects.AddRange(calm.Services.Where(s => judged.Contains(s.Name)).Select(s => (s.Name, expect(s))));
        var end = EndOf(calm);
        var csv = CaseScenario.ToCsv(calm, header, ServicesAt, end, ctx.DisabledFilters, expects);
        var at = $"{UpdateAt.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";
        var updates = string.Concat(calm.Services.Select(s => $"{at},update-service,{s.Name},{update(s)}\n"));
        int firstEnd = csv.IndexOf($"\n{end.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s,", StringComparison.Ordinal);
        return firstEnd < 0 ? csv + updates : csv.Insert(firstEnd + 1, updates);
    }

    /// <summary>11. An update to a failing version with failure action rollback ends on the previous spec with every
    /// replica running, and the rollback does not roll back again.</summary>
    public static string? RollsBack(CheckCase c, CheckContext ctx) => Failures(ToScenario(c, ctx, []));

    /// <summary>12. During an update running-and-healthy replicas never fall below what the update's order and
    /// parallelism guarantee.</summary>
    public static string? KeepsCapacity(CheckCase c, CheckContext ctx) => Failures(ToCapacityScenario(c, ctx, []));

    private static string? Failures(string scenario)
    {
        var r = Simulation.Run(ScenarioParser.Parse(scenario, "case.csv"), new SimulationOptions { Seed = 1 });
        var failed = r.Summary.Expects.Where(e => !e.Passed).Take(2).ToList();
        return failed.Count == 0 ? null : string.Join("; ", failed.Select(e => $"{e.Target}: {string.Join(", ", e.Failures)}"));
    }
}
