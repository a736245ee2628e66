namespace Orca.Tests.Shared;

/// <summary>Paths every test project needs: the repository (found from the test binaries) and fresh temp folders.
/// Linked into each test project.</summary>
internal static class RepoPaths
{
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Orca.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Orca.sln not found above the test folder");
    }

    public static string TempDir(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), prefix, Guid.NewGuid().ToString("n")[..12]);
        Directory.CreateDirectory(path);
        return path;
    }
}
