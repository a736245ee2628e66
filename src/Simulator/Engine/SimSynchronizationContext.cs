namespace Orca.Simulator.Engine;

/// <summary>Posts continuations into the event loop at the current virtual time, so async code stays on the loop.</summary>
public sealed class SimSynchronizationContext(EventLoop loop) : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) => loop.Schedule(loop.Now, d, state);

    public override void Send(SendOrPostCallback d, object? state) => d(state);

    public override SynchronizationContext CreateCopy() => this;
}
