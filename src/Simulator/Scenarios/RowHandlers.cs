namespace Orca.Simulator.Scenarios;

/// <summary>Dispatches a row to the reader of its action.</summary>
internal static class RowHandlers
{
    private static readonly Dictionary<string, Action<RawRow, ParseState>> Handlers = new(StringComparer.Ordinal)
    {
        ["config"] = ConfigRows.Config,
        ["add-nodes"] = NodeRows.AddNodes,
        ["add-node"] = NodeRows.AddNode,
        ["update-node"] = NodeRows.Update,
        ["remove-node"] = NodeRows.Remove,
        ["create-service"] = ServiceRows.Create,
        ["create-services"] = ServiceRows.CreateMany,
        ["update-service"] = ServiceRows.Update,
        ["scale"] = ServiceRows.Scale,
        ["remove-service"] = ServiceRows.Remove,
        ["rollback-service"] = ServiceRows.Rollback,
        ["crash"] = (r, s) => FaultRows.Fault(r, s, FaultKind.Crash),
        ["recover"] = (r, s) => FaultRows.Fault(r, s, FaultKind.Recover),
        ["crash-node"] = (r, s) => FaultRows.Fault(r, s, FaultKind.Crash),
        ["recover-node"] = (r, s) => FaultRows.Fault(r, s, FaultKind.Recover),
        ["crash-rack"] = (r, s) => FaultRows.Fault(r, s, FaultKind.Crash, rack: true),
        ["recover-rack"] = (r, s) => FaultRows.Fault(r, s, FaultKind.Recover, rack: true),
        ["partition"] = (r, s) => FaultRows.Fault(r, s, FaultKind.Partition),
        ["heal"] = (r, s) => FaultRows.Fault(r, s, FaultKind.Heal),
        ["slow"] = (r, s) => FaultRows.Fault(r, s, FaultKind.Slow),
        ["drain"] = (r, s) => FaultRows.Fault(r, s, FaultKind.Drain),
        ["activate"] = (r, s) => FaultRows.Fault(r, s, FaultKind.Activate),
        ["cordon"] = (r, s) => FaultRows.Fault(r, s, FaultKind.Cordon),
        ["uncordon"] = (r, s) => FaultRows.Fault(r, s, FaultKind.Activate),
        ["drain-rack"] = (r, s) => FaultRows.Fault(r, s, FaultKind.Drain, rack: true),
        ["activate-rack"] = (r, s) => FaultRows.Fault(r, s, FaultKind.Activate, rack: true),
        ["crash-storm"] = FaultRows.CrashStorm,
        ["crash-silo"] = (r, s) => FaultRows.Silo(r, s, FaultKind.CrashSilo),
        ["recover-silo"] = (r, s) => FaultRows.Silo(r, s, FaultKind.RecoverSilo),
        ["expect"] = ExpectRows.Expect,
        ["end"] = (r, s) =>
        {
            ParamList.Parse(r.Params, r.Context, false).RejectUnknown([]);
            s.Steps.Add(new EndStep(r.Line, r.At));
        },
    };

    public static IEnumerable<string> Actions => Handlers.Keys;

    public static void Apply(RawRow row, ParseState state)
    {
        if (Handlers.TryGetValue(row.Action, out var handler)) handler(row, state);
        else row.Context.Error(RowContext.ActionColumn, "action",
            row.Action.Length == 0 ? $"missing action; expected one of {string.Join(", ", Handlers.Keys)}"
                : $"unknown action '{row.Action}'; expected one of {string.Join(", ", Handlers.Keys)}");
    }
}
