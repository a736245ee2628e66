using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Orca.Silo.Tests;

/// <summary>A real silo process (`orca silo run`) with its own database and port, and the `orca` CLI pointed at it.</summary>
public sealed class SiloProcess : IDisposable
{
    private Process? _process;
    private readonly HttpClient _http;

    private readonly string[] _extra;

    /// <param name="extra">More arguments of `orca silo run`, e.g. --cluster.</param>
    public SiloProcess(string? database = null, params string[] extra)
    {
        _extra = extra;
        Database = database ?? Path.Combine(Processes.TempDir("orca-silo"), "orca.db");
        Port = Processes.FreePort();
        SiloPort = Processes.FreePort();
        GatewayPort = Processes.FreePort();
        Url = $"http://127.0.0.1:{Port}";
        _http = new HttpClient { BaseAddress = new Uri(Url + "/"), Timeout = TimeSpan.FromSeconds(30) };
        Start();
    }

    public string Database { get; }
    public int Port { get; }

    /// <summary>Orleans' silo-to-silo and gateway ports (kept across restarts, as a real silo's are).</summary>
    public int SiloPort { get; }
    public int GatewayPort { get; }
    public string Url { get; }
    public string Log { get; private set; } = "";

    public void Start()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Processes.RepoRoot() };
        var keepAlive = _extra.Contains("--keep-alive") ? [] : new[] { "--keep-alive", "5s" };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "orca.dll"), "silo", "run", "--db", Database, "--port", Port.ToString(),
                     "--heartbeat", "1s", "--down-after", "4s",
                     "--silo-port", SiloPort.ToString(), "--gateway-port", GatewayPort.ToString() }.Concat(keepAlive).Concat(_extra))
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { lock (this) Log += e.Data + "\n"; };
        _process.ErrorDataReceived += (_, e) => { lock (this) Log += e.Data + "\n"; };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        try
        {
            Until(() => _process.HasExited || _http.GetAsync("healthz").Result.IsSuccessStatusCode, TimeSpan.FromSeconds(60), "the silo answering /healthz");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; its log:\n{Log}");
        }
        if (_process.HasExited)
        {
            _process.WaitForExit(); // the log is read to its end
            throw new InvalidOperationException($"the silo exited with code {_process.ExitCode} at start; its log:\n{Log}");
        }
    }

    /// <summary>SIGKILL: no shutdown of any kind.</summary>
    public void Kill()
    {
        _process?.Kill(entireProcessTree: true);
        _process?.WaitForExit();
        _process = null;
    }

    public (int Code, string Stdout, string Stderr) Orca(params string[] args) =>
        Processes.Run("dotnet", new[] { Path.Combine(AppContext.BaseDirectory, "orca.dll"), "--silo", Url }.Concat(args),
            env: new Dictionary<string, string> { ["NO_COLOR"] = "1" });

    public JsonNode? Get(string path) => _http.GetFromJsonAsync<JsonNode>(path).Result;

    /// <summary>The grains this silo hosts, as Orleans' grain ids ("type/key").</summary>
    public List<string> Activations() => Get("v1/activations")!.AsArray().Select(a => a!["grain"]!.GetValue<string>()).ToList();

    /// <summary>How many silos Orleans' membership has active, as this silo sees it.</summary>
    public int ActiveSilos() => Get("v1/cluster")!["active"]!.GetValue<int>();

    public bool Alive => _process is { HasExited: false };

    /// <summary>Running tasks of a service as (task id, node) from the API.</summary>
    public List<(string Task, string Node)> Running(string service) =>
        Get($"v1/tasks?service={service}&state=running")!.AsArray()
            .Select(t => (t!["task"]!["taskId"]!.GetValue<string>(), t["task"]!["node"]!.GetValue<string>())).ToList();

    /// <summary>The stdout of an `orca` run that must have succeeded (the test fails with its output otherwise).</summary>
    public static string Ok((int Code, string Stdout, string Stderr) r)
    {
        Assert.True(r.Code == 0, $"exit {r.Code}\n{r.Stdout}\n{r.Stderr}");
        return r.Stdout;
    }

    public static void Until(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (condition()) return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline) { }
            Thread.Sleep(200);
        }
        if (!condition()) throw new TimeoutException($"{what} within {timeout.TotalSeconds:0}s");
    }

    public void Dispose()
    {
        Kill();
        _http.Dispose();
    }
}
