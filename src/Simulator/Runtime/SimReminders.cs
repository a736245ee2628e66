using Orca.Simulator.Engine;
using Orleans;
using Orleans.Runtime;
using Orleans.Timers;

namespace Orca.Simulator.Runtime;

/// <summary>
/// The durable reminder table of the simulated host: reminders outlive activations and silo crashes. A tick at
/// StartAt + k × period is delivered as a call to the grain's <see cref="IRemindable.ReceiveReminder"/>, activating it
/// if needed; a tick due while the grain's silo is dead and not yet declared so is missed, as Orleans' reminder service
/// (which then owns no range of the ring) misses it. Each activation sees it through <see cref="For"/>: Orleans'
/// <see cref="IReminderRegistry"/> bound to that grain.
/// </summary>
internal sealed class SimReminderTable(SimGrainRuntime runtime)
{
    private readonly SimGrainRuntime _runtime = runtime;
    private readonly Dictionary<(SimGrainAddress, string), Entry> _table = new();
    private static readonly SendOrPostCallback Fire = state => ((Entry)state!).OnDue();

    public int Count => _table.Count;

    public IReminderRegistry For(SimGrainAddress grain) => new Registry(this, grain);

    private sealed class Registry(SimReminderTable table, SimGrainAddress grain) : IReminderRegistry
    {
        public Task<IGrainReminder> RegisterOrUpdateReminder(GrainId callingGrainId, string reminderName, TimeSpan dueTime, TimeSpan period)
        {
            if (table._table.Remove((grain, reminderName), out var old)) old.Cancelled = true;
            var entry = new Entry(table._runtime, grain, reminderName, period);
            table._table[(grain, reminderName)] = entry;
            table._runtime.Loop.ScheduleAfter(Math.Max(0, dueTime.Ticks), Fire, entry);
            return Task.FromResult<IGrainReminder>(entry);
        }

        public Task UnregisterReminder(GrainId callingGrainId, IGrainReminder reminder)
        {
            if (table._table.Remove((grain, reminder.ReminderName), out var entry)) entry.Cancelled = true;
            return Task.CompletedTask;
        }

        public Task<IGrainReminder?> GetReminder(GrainId callingGrainId, string reminderName) =>
            Task.FromResult<IGrainReminder?>(table._table.GetValueOrDefault((grain, reminderName)));

        public Task<List<IGrainReminder>> GetReminders(GrainId callingGrainId) =>
            Task.FromResult(table._table.Where(kv => kv.Key.Item1 == grain).Select(kv => (IGrainReminder)kv.Value).ToList());
    }

    private sealed class Entry(SimGrainRuntime runtime, SimGrainAddress address, string name, TimeSpan period) : IGrainReminder
    {
        public string ReminderName => name;
        public bool Cancelled { get; set; }

        public void OnDue()
        {
            if (Cancelled) return;
            runtime.Loop.ScheduleAfter(Math.Max(period.Ticks, TimeSpan.TicksPerSecond), Fire, this);
            var status = new TickStatus(SimTimeProvider.Epoch.UtcDateTime, period, runtime.Time.GetUtcNow().UtcDateTime);
            runtime.Deliver(new ReminderTick(name, status), address);
        }
    }
}

/// <summary>A reminder tick as a turn of its grain.</summary>
internal sealed class ReminderTick(string name, TickStatus status) : Turn
{
    public override Task Start(Activation activation) => ((IRemindable)activation.Grain).ReceiveReminder(name, status);
    public override string Describe() => $"reminder {name}";
}
