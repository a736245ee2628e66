namespace Orca.Grains.Runtime;

/// <summary>Marker for grain interfaces (Orleans' model): every method returns Task or Task&lt;T&gt;.</summary>
public interface IGrain;

/// <summary>A grain addressed by a string key, e.g. <c>GetGrain&lt;IServiceGrain&gt;("web")</c>.</summary>
public interface IGrainWithStringKey : IGrain;

/// <summary>
/// The caller does not wait for the callee: the call returns a completed task at once and the
/// message is processed as a turn of the target later. Used for notifications, so that grains
/// never await each other in a cycle (A awaits B awaits A deadlocks a turn-based runtime).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OneWayAttribute : Attribute;

/// <summary>Returns references to grains; the runtime activates them on their first call.</summary>
public interface IGrainFactory
{
    TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey;
}
