using System.Net;
using System.Net.Sockets;

namespace Orca.Silo.Tests;

/// <summary>A TCP proxy on loopback that can be cut: every connection through it is closed and new ones refused —
/// a network partition between one silo and the database.</summary>
public sealed class TcpCut : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _open = [];
    private volatile bool _cut;

    public TcpCut(int targetPort)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync(targetPort);
    }

    public int Port { get; }

    private async Task AcceptAsync(int targetPort)
    {
        while (!_cut)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception)
            {
                return;
            }
            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, targetPort);
            }
            catch (Exception)
            {
                client.Dispose();
                continue;
            }
            lock (_open) _open.AddRange([client, server]);
            _ = Pump(client.GetStream(), server.GetStream());
            _ = Pump(server.GetStream(), client.GetStream());
        }
    }

    private static async Task Pump(Stream from, Stream to)
    {
        try
        {
            await from.CopyToAsync(to);
        }
        catch (Exception) { }
    }

    public void Cut()
    {
        _cut = true;
        _listener.Stop();
        lock (_open)
            foreach (var c in _open) c.Dispose();
    }

    public void Dispose() => Cut();
}
