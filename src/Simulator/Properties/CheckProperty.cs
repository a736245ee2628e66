using FsCheck;

namespace Orca.Simulator.Properties;

/// <summary>What every check of one run shares: the scheduler mutation under test (none normally).</summary>
public sealed record CheckContext(IReadOnlyCollection<string> DisabledFilters)
{
    public static readonly CheckContext Default = new([]);
}

/// <summary>One named invariant: how to generate cases, how to check one (null when it holds, else what broke),
/// and how to write a case as a scenario that replays it.</summary>
public sealed class CheckProperty
{
    public required int Number { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required Gen<CheckCase> Generator { get; init; }
    public required Func<CheckCase, CheckContext, string?> Check { get; init; }
    public required Func<CheckCase, CheckContext, IReadOnlyList<string>, string> ToScenario { get; init; }

    /// <summary>The property runs each case on the simulator (slower than the pure scheduler properties).</summary>
    public bool RunsSimulator { get; init; }

    /// <summary>For properties with a precondition: whether a case meets it (is really judged). Null: every case is.</summary>
    public Func<CheckCase, bool>? Judges { get; init; }
}
