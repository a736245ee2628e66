using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Orca.Grains.Grains;
using Orca.Grains.Model;
using Orca.Silo.Docker;

namespace Orca.Silo.Tests;

/// <summary>The silo's HTTP and TCP probes against real sockets on loopback: which answers pass, Docker's rules for
/// retries and the start period, verdicts reported only when they change.</summary>
public sealed class HealthProbesTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly BlockingCollection<ContainerEvent> _reports = new();
    private readonly HealthProbes _probes;
    private readonly HttpListener _http = new();
    private readonly int _port;
    private volatile int _status = 200;
    private int _hits;

    public HealthProbesTests()
    {
        _probes = new HealthProbes("127.0.0.1", _reports.Add);
        _port = Processes.FreePort();
        _http.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _http.Start();
        _ = ServeAsync();
    }

    private async Task ServeAsync()
    {
        while (_http.IsListening)
        {
            HttpListenerContext c;
            try
            {
                c = await _http.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            Interlocked.Increment(ref _hits);
            c.Response.StatusCode = c.Request.Url!.AbsolutePath == "/healthz" ? _status : 404;
            if (_status is >= 300 and < 400) c.Response.RedirectLocation = "/elsewhere";
            c.Response.Close();
        }
    }


    private static HealthCheck Check(IReadOnlyList<string> test, int retries = 2, TimeSpan? startPeriod = null) =>
        new(test, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), startPeriod ?? TimeSpan.Zero, retries);

    private ContainerEvent Next()
    {
        Assert.True(_reports.TryTake(out var e, Wait), "no verdict reported");
        return e;
    }

    private void HitsAtLeast(int n)
    {
        for (int i = 0; i < 400 && Volatile.Read(ref _hits) < n; i++) Thread.Sleep(50);
        Assert.True(Volatile.Read(ref _hits) >= n, $"the server saw {_hits} checks, not {n}");
    }

    [Fact]
    public void HttpAnswers200To399PassAndOnlyChangesAreReported()
    {
        _probes.Watch("c1", "web.1.0", Check(["HTTP", $"{_port}", "/healthz"]));
        Assert.Equal(new ContainerEvent("c1", "web.1.0", ContainerEventKind.Healthy, 0), Next());
        Assert.True(_probes.Verdict("c1"));
        int seen = Volatile.Read(ref _hits);
        _status = 302; // a redirect is an answer: passes, and is not followed
        HitsAtLeast(seen + 4);
        Assert.Empty(_reports);
        _status = 500;
        Assert.Equal(ContainerEventKind.Unhealthy, Next().Kind);
        Assert.False(_probes.Verdict("c1"));
        _status = 204;
        Assert.Equal(ContainerEventKind.Healthy, Next().Kind);
        _probes.Forget("c1");
        Assert.Null(_probes.Verdict("c1"));
    }

    [Fact]
    public void AWrongPathIsUnhealthyAfterTheRetries()
    {
        _probes.Watch("c2", "web.2.0", Check(["HTTP", $"{_port}", "/missing"], retries: 3));
        Assert.Equal(ContainerEventKind.Unhealthy, Next().Kind);
        Assert.True(Volatile.Read(ref _hits) >= 3, "unhealthy before three checks failed");
    }

    [Fact]
    public void FailuresWithinTheStartPeriodDoNotCount()
    {
        _status = 500;
        _probes.Watch("c3", "web.3.0", Check(["HTTP", $"{_port}", "/healthz"], retries: 1, startPeriod: TimeSpan.FromHours(1)));
        HitsAtLeast(5);
        Assert.Null(_probes.Verdict("c3"));
        _status = 200;
        Assert.Equal(ContainerEventKind.Healthy, Next().Kind);
        _status = 500; // once a check passed, failures count even within the start period
        Assert.Equal(ContainerEventKind.Unhealthy, Next().Kind);
    }

    [Fact]
    public void TcpPassesWhileSomethingAcceptsOnThePort()
    {
        int port = Processes.FreePort();
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        _probes.Watch("c4", "db.1.0", Check(["TCP", $"{port}"]));
        Assert.Equal(ContainerEventKind.Healthy, Next().Kind);
        listener.Stop();
        Assert.Equal(ContainerEventKind.Unhealthy, Next().Kind);
    }

    [Fact]
    public void CommandChecksAreDockersAndNotProbed()
    {
        _probes.Watch("c5", "web.5.0", Check(["CMD-SHELL", "true"]));
        Assert.False(_probes.Probes("c5"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _probes.DisposeAsync();
        _http.Stop();
        _http.Close();
    }
}
