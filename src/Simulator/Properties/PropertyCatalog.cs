namespace Orca.Simulator.Properties;

/// <summary>The invariants Orca is property-tested against, by name.</summary>
public static class PropertyCatalog
{
    /// <summary>Placement cases are replayed in the simulator with services created once down nodes are declared down.</summary>
    private static readonly TimeSpan PlacementServicesAt = TimeSpan.FromSeconds(60);

    private static string PlacementScenario(CheckCase c, CheckContext ctx, IReadOnlyList<string> header) =>
        CaseScenario.ToCsv(c, header, PlacementServicesAt, PlacementServicesAt + TimeSpan.FromMinutes(2), ctx.DisabledFilters,
            [("cluster", "violations=0")]);

    private static CheckProperty Placement(int n, string name, string description, Func<CheckCase, CheckContext, string?> check) => new()
    {
        Number = n, Name = name, Description = description, Generator = CaseGenerators.Placement(), Check = check, ToScenario = PlacementScenario,
    };

    private static CheckProperty Reconciliation(int n, string name, string description, Func<CheckCase, CheckContext, string?> check) => new()
    {
        Number = n, Name = name, Description = description, Generator = CaseGenerators.Reconciliation(), Check = check,
        ToScenario = ReconciliationProperties.ToScenario, RunsSimulator = true,
    };

    public static readonly IReadOnlyList<CheckProperty> All =
    [
        Placement(1, "no-overcommit", "no node is over-committed on any resource", PlacementProperties.NoOvercommit),
        Placement(2, "hard-constraints", "every placed task satisfies its constraints, max per node, attribute limits and ports", PlacementProperties.HardConstraints),
        Placement(3, "pending-reason-true", "a task stays pending only if no node can take it, and the reason counts every node", PlacementProperties.PendingReasonTrue),
        Placement(4, "spread-even", "with feasible capacity, tasks per spread value differ by at most one", PlacementProperties.SpreadEven)
            .Judging(PlacementProperties.SpreadJudged),
        Placement(5, "deterministic", "same snapshot and batch, same placement, whatever order nodes were added in", PlacementProperties.Deterministic),
        Placement(6, "batch-equals-sequential", "a batch is placed as its tasks one by one would be", PlacementProperties.BatchEqualsSequential),
        Reconciliation(7, "converges", "after the last fault, running = min(desired, what the live cluster can hold)", ReconciliationProperties.Converges)
            .Judging(c => ReconciliationProperties.Expected(c).Ample),
        Reconciliation(8, "no-duplicates", "no slot ever has two running tasks or two running containers", ReconciliationProperties.NoDuplicates),
        Reconciliation(9, "nothing-on-down-nodes", "nothing counted on a down node; a recovered node resurrects nothing; nothing lost unnoticed", ReconciliationProperties.NothingOnDownNodes),
        Reconciliation(10, "nothing-lost", "every service's desired state survives the fault schedule", ReconciliationProperties.NothingLost),
        new CheckProperty
        {
            Number = 11, Name = "update-rolls-back", Description = "an update to a crashing version with failure action rollback ends on the previous spec, every replica running, rolled back once",
            Generator = CaseGenerators.Reconciliation(), Check = DeploymentProperties.RollsBack, ToScenario = DeploymentProperties.ToScenario, RunsSimulator = true,
        }.Judging(c => DeploymentProperties.Judged(c).Count > 0),
        new CheckProperty
        {
            Number = 12, Name = "update-keeps-capacity", Description = "during an update, running and healthy replicas never fall below replicas - parallelism (stop-first) or replicas (start-first)",
            Generator = CaseGenerators.Reconciliation(), Check = DeploymentProperties.KeepsCapacity, ToScenario = DeploymentProperties.ToCapacityScenario, RunsSimulator = true,
        }.Judging(c => DeploymentProperties.Judged(c).Count > 0),
        new CheckProperty
        {
            Number = 13, Name = "scale-down-keeps-spread", Description = "a scale-down keeps a service spread over racks within one where it was",
            Generator = CaseGenerators.Reconciliation(), Check = ScaleDownProperties.KeepsSpread, ToScenario = ScaleDownProperties.ToScenario, RunsSimulator = true,
        }.Judging(c => ScaleDownProperties.Judged(c).Count > 0),
        Placement(14, "kept-trees-equal-fresh", "spread trees kept across batches place as trees built afresh, through releases, node changes and batches never applied", PlacementProperties.KeptTreesEqualFresh),
    ];

    private static CheckProperty Judging(this CheckProperty p, Func<CheckCase, bool> judges) => new()
    {
        Number = p.Number, Name = p.Name, Description = p.Description, Generator = p.Generator, Check = p.Check,
        ToScenario = p.ToScenario, RunsSimulator = p.RunsSimulator, Judges = judges,
    };

    public static CheckProperty? Find(string name) => All.FirstOrDefault(p => p.Name == name || p.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) == name);
}
