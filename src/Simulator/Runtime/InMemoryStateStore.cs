using System.Globalization;
using System.Text.Json;
using Orca.Grains.Runtime;

namespace Orca.Simulator.Runtime;

/// <summary>Grain state in memory with etags. With <paramref name="serialize"/> it stores JSON, as a database
/// would; otherwise it keeps the object itself (state objects are owned by their single activation).</summary>
public sealed class InMemoryStateStore(bool serialize) : IGrainStateStore
{
    private readonly Dictionary<(string, string), (object Value, long Etag)> _rows = new();
    private long _nextEtag;

    public long Writes { get; private set; }

    public Task<(T? State, string? Etag)> ReadAsync<T>(string stateName, string key) where T : class
    {
        if (!_rows.TryGetValue((stateName, key), out var row)) return Task.FromResult<(T?, string?)>((null, null));
        var state = serialize ? JsonSerializer.Deserialize<T>((string)row.Value, OrcaJson.Options) : (T)row.Value;
        return Task.FromResult<(T?, string?)>((state, row.Etag.ToString(CultureInfo.InvariantCulture)));
    }

    public Task<string> WriteAsync<T>(string stateName, string key, T state, string? expectedEtag) where T : class
    {
        var id = (stateName, key);
        CheckEtag(id, expectedEtag);
        long etag = ++_nextEtag;
        _rows[id] = (serialize ? JsonSerializer.Serialize(state, OrcaJson.Options) : state, etag);
        Writes++;
        return Task.FromResult(etag.ToString(CultureInfo.InvariantCulture));
    }

    public Task ClearAsync(string stateName, string key, string? expectedEtag)
    {
        CheckEtag((stateName, key), expectedEtag);
        _rows.Remove((stateName, key));
        return Task.CompletedTask;
    }

    private void CheckEtag((string, string) id, string? expected)
    {
        string? actual = _rows.TryGetValue(id, out var row) ? row.Etag.ToString(CultureInfo.InvariantCulture) : null;
        if (actual != expected)
            throw new InconsistentStateException($"state {id.Item1}/{id.Item2}: etag {expected ?? "none"} expected, {actual ?? "none"} stored");
    }
}
