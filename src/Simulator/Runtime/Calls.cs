using System.Reflection;
using Orleans.Concurrency;

namespace Orca.Simulator.Runtime;

/// <summary>What the host needs to know about one grain interface method, computed once per method.</summary>
internal sealed class MethodPlan
{
    private readonly Func<IReply> _newReply;

    private MethodPlan(MethodInfo method)
    {
        Method = method;
        OneWay = method.GetCustomAttribute<OneWayAttribute>() is not null;
        var returnType = method.ReturnType;
        Type? resultType;
        if (returnType == typeof(Task)) resultType = null;
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>)) resultType = returnType.GetGenericArguments()[0];
        else throw new InvalidOperationException($"{method.DeclaringType?.Name}.{method.Name} must return Task or Task<T>");
        if (OneWay && resultType is not null) throw new InvalidOperationException($"one-way {method.Name} must return Task");
        var replyType = typeof(Reply<>).MakeGenericType(resultType ?? typeof(object));
        _newReply = () => (IReply)Activator.CreateInstance(replyType)!;
    }

    public MethodInfo Method { get; }
    public bool OneWay { get; }
    public string Name => Method.Name;

    public IReply NewReply() => _newReply();

    public static MethodPlan For(MethodInfo method) => new(method);
}

/// <summary>The caller's side of a call: completed when the reply message arrives.</summary>
internal interface IReply
{
    Task Task { get; }
    void Complete(Task callee, bool roundTrip);
    void Fail(Exception e);
}

internal sealed class Reply<T> : IReply
{
    private readonly TaskCompletionSource<T> _tcs = new();

    public Task Task => _tcs.Task;

    public void Complete(Task callee, bool roundTrip)
    {
        if (callee.IsFaulted) _tcs.TrySetException(callee.Exception!.InnerExceptions);
        else if (callee.IsCanceled) _tcs.TrySetCanceled();
        else if (callee is Task<T> typed) _tcs.TrySetResult(roundTrip ? (T)OrleansCopier.RoundTrip(typed.Result)! : typed.Result);
        else _tcs.TrySetResult(default!);
    }

    public void Fail(Exception e) => _tcs.TrySetException(e);
}

/// <summary>A call on its way: delivered into the target's mailbox, run as a turn, answered after another delay.</summary>
internal sealed class Message(SimGrainRuntime runtime, SimGrainAddress target, MethodPlan plan, object?[] args, IReply? reply) : Turn
{
    private Task? _outcome;

    public SimGrainAddress Target => target;
    public IReply? Reply => reply;

    public override Task Start(Activation activation) =>
        (Task)plan.Method.Invoke(activation.Grain, BindingFlags.DoNotWrapExceptions, null, args, null)!;

    public override void Finish(Activation activation, Task task)
    {
        if (reply is null) return;
        _outcome = task;
        runtime.ScheduleReply(this);
    }

    public void DeliverReply() => reply!.Complete(_outcome!, runtime.SerializeMessages);

    public override void Abandon(Exception reason) => reply?.Fail(reason);

    public override string Describe() => plan.Name;

    public override bool HasCaller => reply is not null;
}
