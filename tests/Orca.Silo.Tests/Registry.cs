namespace Orca.Silo.Tests;

/// <summary>A real Docker registry on 127.0.0.1 (scripts/registry.sh), started for one test and stopped by its pid.</summary>
public sealed class Registry : IDisposable
{
    private readonly string _dir = Processes.TempDir("orca-registry");

    public Registry()
    {
        var (code, stdout, stderr) = Processes.Run("bash", [Script, "start", _dir, Processes.FreePort().ToString()]);
        if (code != 0) throw new InvalidOperationException($"could not start the registry: {stderr}{stdout}");
        Address = stdout.Trim();
    }

    /// <summary>host:port, the prefix of the registry's image names.</summary>
    public string Address { get; }

    private static string Script => Path.Combine(Processes.RepoRoot(), "scripts", "registry.sh");

    public void Dispose() => Processes.Run("bash", [Script, "stop", _dir]);
}
