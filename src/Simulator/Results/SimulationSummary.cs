namespace Orca.Simulator.Results;

/// <summary>summary.json: everything the run decided, nothing about the machine it ran on (so it is identical for
/// the same scenario and seed).</summary>
public sealed record SimulationSummary(
    string Scenario,
    ulong Seed,
    double VirtualSeconds,
    long Events,
    long Messages,
    long GrainActivations,
    long OrcaEvents,
    bool Passed,
    IReadOnlyList<ServiceSummary> Services,
    IReadOnlyList<RackSummary> Racks,
    IReadOnlyList<FaultSummary> Faults,
    IReadOnlyList<ExpectSummary> Expects,
    IReadOnlyDictionary<string, long> Violations,
    IReadOnlyList<string> GrainFaults);

public sealed record ServiceSummary(string Name, int Desired, int Running, int Pending, int Restarts, double? WorstConvergeSeconds,
    string? PendingReason, bool Removed, IReadOnlyList<string> Spread, IReadOnlyList<string> Constraints);

public sealed record RackSummary(string Rack, int Nodes, int NodesUp, int TasksRunning);

/// <param name="ConvergedAfterSeconds">From the fault until every service it cost replicas was whole again; null if
/// one never was.</param>
public sealed record FaultSummary(double AtSeconds, string Fault, double? ConvergedAfterSeconds, IReadOnlyList<string> ServicesAffected);

public sealed record ExpectSummary(int Line, double AtSeconds, string Target, bool Passed, IReadOnlyList<string> Checks, IReadOnlyList<string> Failures);
