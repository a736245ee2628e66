using System.Reflection;

namespace Orca.Simulator.Runtime;

/// <summary>A grain reference: every interface call becomes a message through <see cref="SimGrainRuntime.Send"/>.</summary>
public class GrainProxy : DispatchProxy
{
    internal SimGrainRuntime Runtime = null!;
    internal GrainAddress Address = null!;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => Runtime.Send(Address, targetMethod!, args ?? []);
}

/// <summary>One grain identity (interface type + key) and, once called, its activation.</summary>
internal sealed class GrainAddress(Type grainInterface, string key)
{
    public Type Interface { get; } = grainInterface;
    public string Key { get; } = key;
    public object? Proxy { get; set; }
    public Activation? Activation { get; set; }

    /// <summary>Messages to one grain arrive in the order they were sent (as over one connection).</summary>
    public long LastDeliveryTicks { get; set; }

    public override string ToString() => $"{Interface.Name}/{Key}";
}
