namespace Orca.Grains.Runtime;

/// <summary>The names both hosts register: the grain storage provider and the keep-alive reminder.</summary>
public static class OrcaStorage
{
    /// <summary>The grain storage provider every grain's <c>[PersistentState]</c> names.</summary>
    public const string Name = "orca";

    /// <summary>The reminder that brings a grain back on another silo after its silo died (timers die with it).</summary>
    public const string KeepAliveReminder = "keep-alive";
}
