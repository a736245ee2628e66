namespace Orca.Grains.Scheduling;

/// <summary>
/// Which placement filters the scheduler grain runs, injected into it by its host. Both hosts inject
/// <see cref="All"/>; only the simulator's mutation tests (<c>orca check --disable-filter</c>, a scenario's
/// <c>config,sim,disable-filter=…</c>) inject a set with filters switched off, to prove the property checks catch a
/// scheduler that is wrong on purpose. Kept apart from <see cref="Model.OrcaOptions"/>, which holds production settings only.
/// </summary>
public sealed record FilterSet(IReadOnlyCollection<string> Disabled)
{
    public static readonly FilterSet All = new([]);

    /// <summary>What may be switched off: every placement filter, and the constraint enforcer.</summary>
    public static readonly IReadOnlyList<string> Names = [.. FilterPipeline.FilterNames, ConstraintEnforcer.Name];

    public bool EnforcerOn => !Disabled.Contains(ConstraintEnforcer.Name);
}
