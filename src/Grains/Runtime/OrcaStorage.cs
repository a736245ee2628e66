namespace Orca.Grains.Runtime;

/// <summary>The name of the grain storage provider that every grain's <c>[PersistentState]</c> names and both hosts register.</summary>
public static class OrcaStorage
{
    public const string Name = "orca";
}
