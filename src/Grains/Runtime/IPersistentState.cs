namespace Orca.Grains.Runtime;

/// <summary>Grain state with an etag for optimistic concurrency (Orleans' <c>IPersistentState&lt;T&gt;</c>).
/// The runtime reads it before <see cref="Grain.OnActivateAsync"/>.</summary>
public interface IPersistentState<T> where T : class, new()
{
    T State { get; set; }
    string? Etag { get; }
    bool RecordExists { get; }
    Task ReadStateAsync();
    Task WriteStateAsync();
    Task ClearStateAsync();
}

/// <summary>A write whose expected etag no longer matches the stored one.</summary>
public sealed class InconsistentStateException(string message) : Exception(message);

/// <summary>The storage a host provides (in memory, SQLite, PostgreSQL). Values are opaque to it.</summary>
public interface IGrainStateStore
{
    Task<(T? State, string? Etag)> ReadAsync<T>(string stateName, string key) where T : class;

    /// <summary>Writes when <paramref name="expectedEtag"/> matches; returns the new etag or throws
    /// <see cref="InconsistentStateException"/>.</summary>
    Task<string> WriteAsync<T>(string stateName, string key, T state, string? expectedEtag) where T : class;

    Task ClearAsync(string stateName, string key, string? expectedEtag);
}

/// <summary>The one implementation of <see cref="IPersistentState{T}"/>, shared by both hosts.</summary>
public sealed class PersistentState<T>(IGrainStateStore store, string stateName, string key) : IPersistentState<T>
    where T : class, new()
{
    public T State { get; set; } = new();
    public string? Etag { get; private set; }
    public bool RecordExists => Etag is not null;

    public async Task ReadStateAsync()
    {
        var (state, etag) = await store.ReadAsync<T>(stateName, key);
        State = state ?? new T();
        Etag = etag;
    }

    public async Task WriteStateAsync() => Etag = await store.WriteAsync(stateName, key, State, Etag);

    public async Task ClearStateAsync()
    {
        await store.ClearAsync(stateName, key, Etag);
        State = new T();
        Etag = null;
    }
}
