using System.Reflection;

namespace Orca.Simulator.Runtime;

/// <summary>A grain reference: every interface call becomes a message through <see cref="SimGrainRuntime.Send"/>.
/// (Orleans generates a proxy class per interface; the simulated host needs only the interface's methods.)</summary>
public class GrainProxy : DispatchProxy
{
    internal SimGrainRuntime Runtime = null!;
    internal SimGrainAddress Address = null!;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => Runtime.Send(Address, targetMethod!, args ?? []);
}
