using System.Globalization;
using Orleans.Storage;

namespace Orca.Simulator.Runtime;

/// <summary>
/// The simulated database behind <see cref="SimPersistentState{T}"/>: rows by (state name, grain), each with an etag.
/// With <paramref name="serialize"/> a row holds the bytes Orleans' serializer wrote, as the ADO.NET provider's table
/// does, so a crashed silo's unsaved changes are really lost; otherwise it holds the state object itself (owned by the
/// one activation that wrote it), which is faster and equivalent while no silo crashes.
/// </summary>
public sealed class SimStateStore(bool serialize)
{
    private readonly Dictionary<(string, string), (object Value, long Etag)> _rows = new();
    private long _nextEtag;

    public long Writes { get; private set; }

    /// <summary>Reads fail while this is set (to test that an activation whose state cannot be read serves nothing).</summary>
    public Func<string, bool>? FailReadsOf { get; set; }

    public (T? State, string? Etag) Read<T>(string stateName, string grain) where T : class
    {
        if (FailReadsOf?.Invoke(grain) == true) throw new InvalidOperationException($"state {stateName}/{grain}: the store cannot be read");
        if (!_rows.TryGetValue((stateName, grain), out var row)) return (null, null);
        var state = serialize ? OrleansCopier.FromBytes<T>((byte[])row.Value) : (T)row.Value;
        return (state, row.Etag.ToString(CultureInfo.InvariantCulture));
    }

    public string Write<T>(string stateName, string grain, T state, string? expectedEtag) where T : class
    {
        var id = (stateName, grain);
        CheckEtag(id, expectedEtag);
        long etag = ++_nextEtag;
        _rows[id] = (serialize ? OrleansCopier.ToBytes(state) : state, etag);
        Writes++;
        return etag.ToString(CultureInfo.InvariantCulture);
    }

    public void Clear(string stateName, string grain, string? expectedEtag)
    {
        CheckEtag((stateName, grain), expectedEtag);
        _rows.Remove((stateName, grain));
    }

    private void CheckEtag((string, string) id, string? expected)
    {
        string? actual = _rows.TryGetValue(id, out var row) ? row.Etag.ToString(CultureInfo.InvariantCulture) : null;
        if (actual != expected)
            throw new InconsistentStateException($"state {id.Item1}/{id.Item2}: etag {expected ?? "none"} expected, {actual ?? "none"} stored", expected, actual);
    }
}

/// <summary>Orleans' <see cref="Orleans.Runtime.IPersistentState{TState}"/> over the simulated store: read before the
/// grain's <c>OnActivateAsync</c>, written with optimistic concurrency on the etag.</summary>
internal sealed class SimPersistentState<T>(SimStateStore store, string stateName, string grain) : Orleans.Runtime.IPersistentState<T>, ISimState
    where T : class, new()
{
    public T State { get; set; } = new();
    public string? Etag { get; private set; }
    public bool RecordExists => Etag is not null;

    public Task ReadStateAsync()
    {
        var (state, etag) = store.Read<T>(stateName, grain);
        State = state ?? new T();
        Etag = etag;
        return Task.CompletedTask;
    }

    public Task WriteStateAsync()
    {
        Etag = store.Write(stateName, grain, State, Etag);
        return Task.CompletedTask;
    }

    public Task ClearStateAsync()
    {
        store.Clear(stateName, grain, Etag);
        State = new T();
        Etag = null;
        return Task.CompletedTask;
    }
}

/// <summary>What the activation reads before the grain's <c>OnActivateAsync</c>.</summary>
internal interface ISimState
{
    Task ReadStateAsync();
}
