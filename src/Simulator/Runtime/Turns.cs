namespace Orca.Simulator.Runtime;

/// <summary>A unit of work for an activation's mailbox.</summary>
internal abstract class Turn
{
    public abstract Task Start(Activation activation);
    public virtual void Finish(Activation activation, Task task) { }
    public abstract string Describe();

    /// <summary>A caller waits for the outcome (and gets the exception); otherwise a fault is the runtime's to record.</summary>
    public virtual bool HasCaller => false;

    /// <summary>Its activation is gone before the turn ran to its end (silo crash, failed activation).</summary>
    public virtual void Abandon(Exception reason) { }
}

internal sealed class ActivateTurn : Turn
{
    public override Task Start(Activation activation) => activation.ActivateAsync();
    public override string Describe() => "activation";
}

/// <summary>One grain identity (interface type + key) and, once called, its activation.</summary>
internal sealed class SimGrainAddress(Type grainInterface, string grainType, string key)
{
    public Type Interface { get; } = grainInterface;

    /// <summary>Orleans' grain type name of the class (e.g. "node" for NodeGrain), the first half of its GrainId.</summary>
    public string GrainType { get; } = grainType;
    public string Key { get; } = key;
    public object? Proxy { get; set; }
    public Activation? Activation { get; set; }

    /// <summary>Messages to one grain arrive in the order they were sent (as over one connection).</summary>
    public long LastDeliveryTicks { get; set; }

    public override string ToString() => $"{Interface.Name}/{Key}";
}
