using Orca.Grains.Model;
using Orleans;

namespace Orca.Grains.Runtime;

/// <summary>
/// A grain's keep-alive reminder: it brings the grain back on another silo after its silo died (timers die with their
/// activation; reminders are stored). Registered at most once per activation, so that the reminder row is not
/// written again on every call that needs it.
/// </summary>
public sealed class KeepAlive(IGrainBase grain, OrcaOptions options)
{
    public const string ReminderName = "keep-alive";
    private bool _registered;

    public async Task EnsureAsync()
    {
        if (_registered) return;
        await grain.RegisterOrUpdateReminder(ReminderName, options.KeepAlivePeriod, options.KeepAlivePeriod);
        _registered = true;
    }

    public async Task StopAsync()
    {
        _registered = false;
        if (await grain.GetReminder(ReminderName) is { } reminder) await grain.UnregisterReminder(reminder);
    }
}
