using System.Reflection;
using System.Text.Json;
using Orca.Grains.Runtime;

namespace Orca.Simulator.Runtime;

/// <summary>What the runtime needs to know about one grain interface method, computed once.</summary>
internal sealed class MethodPlan
{
    private MethodPlan(MethodInfo method)
    {
        Method = method;
        OneWay = method.GetCustomAttribute<OneWayAttribute>() is not null;
        ParameterTypes = method.GetParameters().Select(p => p.ParameterType).ToArray();
        var returnType = method.ReturnType;
        if (returnType == typeof(Task)) ResultType = null;
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>)) ResultType = returnType.GetGenericArguments()[0];
        else throw new InvalidOperationException($"{method.DeclaringType?.Name}.{method.Name} must return Task or Task<T>");
        if (OneWay && ResultType is not null) throw new InvalidOperationException($"one-way {method.Name} must return Task");
        var replyType = typeof(Reply<>).MakeGenericType(ResultType ?? typeof(object));
        _newReply = () => (IReply)Activator.CreateInstance(replyType)!;
    }

    private readonly Func<IReply> _newReply;

    public MethodInfo Method { get; }
    public bool OneWay { get; }
    public Type[] ParameterTypes { get; }
    public Type? ResultType { get; }
    public string Name => Method.Name;

    public IReply NewReply() => _newReply();

    public static MethodPlan For(MethodInfo method) => new(method);
}

/// <summary>The caller's side of a call: completed when the reply message arrives.</summary>
internal interface IReply
{
    Task Task { get; }
    void Complete(Task callee, JsonSerializerOptions? roundTrip);
}

internal sealed class Reply<T> : IReply
{
    private readonly TaskCompletionSource<T> _tcs = new();

    public Task Task => _tcs.Task;

    public void Complete(Task callee, JsonSerializerOptions? roundTrip)
    {
        if (callee.IsFaulted) _tcs.SetException(callee.Exception!.InnerExceptions);
        else if (callee.IsCanceled) _tcs.SetCanceled();
        else if (callee is Task<T> typed)
        {
            var value = typed.Result;
            if (roundTrip is not null) value = JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, roundTrip), roundTrip)!;
            _tcs.SetResult(value);
        }
        else _tcs.SetResult(default!);
    }
}
