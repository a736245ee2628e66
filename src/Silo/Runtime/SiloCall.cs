using System.Reflection;
using Orca.Grains.Runtime;

namespace Orca.Silo.Runtime;

/// <summary>A unit of work for an activation: a call (with its reply) or a timer tick.</summary>
internal abstract class SiloTurn
{
    public abstract Task RunAsync(Grain grain);
    public virtual void Fail(Exception e) { }
    public virtual bool HasCaller => false;
    public abstract string Describe();
}

internal abstract class SiloCall : SiloTurn
{
    public abstract Task ReplyTask { get; }
}

internal sealed class SiloCall<T>(MethodInfo method, object?[] args) : SiloCall
{
    private readonly TaskCompletionSource<T> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override Task ReplyTask => _reply.Task;
    public override bool HasCaller => true;
    public override string Describe() => method.Name;

    public override async Task RunAsync(Grain grain)
    {
        try
        {
            var task = (Task)method.Invoke(grain, BindingFlags.DoNotWrapExceptions, null, args, null)!;
            await task;
            _reply.TrySetResult(task is Task<T> typed ? typed.Result : default!);
        }
        catch (Exception e)
        {
            _reply.TrySetException(e);
            throw;
        }
    }

    public override void Fail(Exception e) => _reply.TrySetException(e);
}

internal static class CallFactory
{
    private static readonly MethodInfo Generic = typeof(CallFactory).GetMethod(nameof(CreateTyped), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, MethodInfo> Closed = new();

    public static SiloCall Create(Type? result, MethodInfo method, object?[] args) =>
        result is null ? new SiloCall<object?>(method, args)
            : (SiloCall)Closed.GetOrAdd(result, t => Generic.MakeGenericMethod(t)).Invoke(null, [method, args])!;

    private static SiloCall CreateTyped<T>(MethodInfo method, object?[] args) => new SiloCall<T>(method, args);

    private static readonly MethodInfo FromJsonGeneric = typeof(CallFactory).GetMethod(nameof(FromJsonTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>The caller's task for a call answered by another silo, typed as the method returns it.</summary>
    public static Task FromJson(Type? result, Task<System.Text.Json.JsonElement?> reply) =>
        result is null ? reply : (Task)FromJsonGeneric.MakeGenericMethod(result).Invoke(null, [reply])!;

    private static async Task<T> FromJsonTyped<T>(Task<System.Text.Json.JsonElement?> reply)
    {
        var json = await reply;
        return json is { } j && j.ValueKind != System.Text.Json.JsonValueKind.Null ? System.Text.Json.JsonSerializer.Deserialize<T>(j, OrcaJson.Options)! : default!;
    }
}

internal sealed class TimerTurn(Func<Task> callback) : SiloTurn
{
    public override Task RunAsync(Grain grain) => callback();
    public override string Describe() => "timer";
}
