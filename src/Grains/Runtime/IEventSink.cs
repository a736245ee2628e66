using Orca.Grains.Model;

namespace Orca.Grains.Runtime;

/// <summary>Where grains publish what happened (task and node transitions, service changes).</summary>
public interface IEventSink
{
    void Publish(OrcaEvent e);
}
