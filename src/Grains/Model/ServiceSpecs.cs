using System.Text.Json;
using Orca.Grains.Runtime;

namespace Orca.Grains.Model;

public static class ServiceSpecs
{
    /// <summary>Whether two specs give the same tasks: everything but the replica count and the update and rollback
    /// policies (how to roll, not what runs) is equal. Compared by value: record equality would compare the lists and
    /// maps inside by reference, which differ after any serialization.</summary>
    public static bool SameTaskTemplate(ServiceSpec a, ServiceSpec b) => Template(a) == Template(b);

    private static string Template(ServiceSpec s) =>
        JsonSerializer.Serialize(s with { Replicas = 0, Update = UpdatePolicy.Default, Rollback = null }, OrcaJson.Options);
}
