using Orca.Grains.Model;

namespace Orca.Grains.Reconciliation;

/// <summary>One replica slot as the reconciler sees it: its newest task, an older task still running during a
/// start-first update, and when the slot was restarted (for the restart policy's attempts and window).</summary>
public sealed record SlotView(
    int Slot,
    TaskInfo? Current,
    TaskInfo? Previous,
    IReadOnlyList<DateTimeOffset> RestartTimes,
    bool Updating);

/// <summary>What the reconciler decides. Every action is due now; later work is announced by <see cref="ReconcileResult.WakeAt"/>.</summary>
public abstract record ReconcileAction
{
    /// <summary>Start the next generation of a slot (a new slot when it does not exist yet).</summary>
    public sealed record StartTask(int Slot, StartReason Reason) : ReconcileAction;

    /// <summary>Shut a task down (scale-down, update, superseded).</summary>
    public sealed record StopTask(string TaskId, int Slot, string Reason) : ReconcileAction;

    /// <summary>Forget a slot after scale-down; its tasks were stopped by preceding actions.</summary>
    public sealed record RemoveSlot(int Slot) : ReconcileAction;
}

public enum StartReason { NewSlot, Replacement, Restart, Update }

/// <param name="WakeAt">When to reconcile again (a restart delay or update delay ends), if anything waits.</param>
/// <param name="UpdateInProgress">Some slot still runs an older spec version.</param>
public sealed record ReconcileResult(IReadOnlyList<ReconcileAction> Actions, DateTimeOffset? WakeAt, bool UpdateInProgress);
