using System.Text.Json;
using Orca.Grains.Runtime;

namespace Orca.Grains.Model;

public static class ServiceSpecs
{
    /// <summary>Whether two specs give the same tasks (everything but the replica count is equal). Compared by value:
    /// record equality would compare the lists and maps inside by reference, which differ after any serialization.</summary>
    public static bool SameTaskTemplate(ServiceSpec a, ServiceSpec b) =>
        JsonSerializer.Serialize(a with { Replicas = 0 }, OrcaJson.Options) == JsonSerializer.Serialize(b with { Replicas = 0 }, OrcaJson.Options);
}
