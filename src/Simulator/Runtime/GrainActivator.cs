using System.Reflection;
using Orleans;
using Orleans.Runtime;

namespace Orca.Simulator.Runtime;

/// <summary>
/// Constructs grain classes as Orleans' activator does: constructor parameters come from the activation
/// (<see cref="IGrainContext"/>, <see cref="IGrainRuntime"/>), from <c>[PersistentState(name, storage)]</c> (a state
/// over the simulated store, read before <c>OnActivateAsync</c>), or from the host's services. The grain class of an
/// interface is the one class deriving from <see cref="Grain"/> that implements it, as Orleans resolves it.
/// </summary>
internal sealed class GrainActivator(IServiceProvider services, SimStateStore store)
{
    private readonly Dictionary<Type, Plan> _plans = new();
    private readonly List<Assembly> _assemblies = [];

    /// <summary>Grain classes outside the interfaces' own assemblies (a test's grains).</summary>
    public void AddAssembly(Assembly assembly) => _assemblies.Add(assembly);

    public Type ClassOf(Type grainInterface) => PlanFor(grainInterface).Class;

    public (Grain Grain, List<ISimState> States) Create(Type grainInterface, Activation activation)
    {
        var plan = PlanFor(grainInterface);
        var states = new List<ISimState>();
        var args = new object?[plan.Parameters.Length];
        for (int i = 0; i < args.Length; i++)
        {
            var p = plan.Parameters[i];
            if (p.ParameterType == typeof(IGrainContext)) args[i] = activation;
            else if (p.ParameterType == typeof(IGrainRuntime)) args[i] = activation.Runtime;
            else if (p.GetCustomAttribute<PersistentStateAttribute>() is { } attribute)
            {
                var stateType = p.ParameterType.GetGenericArguments()[0];
                var state = (ISimState)Activator.CreateInstance(typeof(SimPersistentState<>).MakeGenericType(stateType),
                    store, attribute.StateName, activation.GrainId.ToString())!;
                states.Add(state);
                args[i] = state;
            }
            else args[i] = activation.GetService(p.ParameterType) ?? services.GetService(p.ParameterType)
                ?? (p.HasDefaultValue ? p.DefaultValue
                    : throw new InvalidOperationException($"{plan.Class.Name}: no service for constructor parameter {p.Name} ({p.ParameterType.Name})"));
        }
        return ((Grain)plan.Constructor.Invoke(args), states);
    }

    private Plan PlanFor(Type grainInterface)
    {
        if (_plans.TryGetValue(grainInterface, out var plan)) return plan;
        var classes = _assemblies.Prepend(grainInterface.Assembly).Distinct().SelectMany(a => a.GetTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(Grain).IsAssignableFrom(t) && grainInterface.IsAssignableFrom(t))
            .ToList();
        if (classes.Count != 1)
            throw new InvalidOperationException($"{grainInterface.Name}: expected one grain class, found {classes.Count}");
        var ctor = classes[0].GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        return _plans[grainInterface] = new Plan(classes[0], ctor, ctor.GetParameters());
    }

    private sealed record Plan(Type Class, ConstructorInfo Constructor, ParameterInfo[] Parameters);
}
