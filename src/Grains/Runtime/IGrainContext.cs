using Orca.Grains.Model;

namespace Orca.Grains.Runtime;

/// <summary>What the hosting runtime gives one grain activation: its identity, time, randomness,
/// timers, other grains and the event sink. Everything a grain reaches outside itself goes through here
/// or through an injected interface, which is what lets the simulator replay a run exactly.</summary>
public interface IGrainContext
{
    string Key { get; }
    IGrainFactory GrainFactory { get; }
    TimeProvider Time { get; }
    IRandomSource Random { get; }
    IEventSink Events { get; }
    OrcaOptions Options { get; }
    IGrainTimer RegisterTimer(Func<Task> callback, TimeSpan dueTime, TimeSpan period);
}
