namespace Orca.Grains.Runtime;

/// <summary>What a host hands to grain constructors besides the context: storage and container drivers.</summary>
public sealed record GrainServices(IGrainStateStore Store, IContainerDriverFactory Drivers);

/// <summary>Maps each grain interface to the constructor of its class. Hosts activate grains only through this,
/// so both hosts run exactly the same grain classes.</summary>
public sealed class GrainTypeRegistry
{
    private readonly Dictionary<Type, Func<IGrainContext, GrainServices, Grain>> _factories = new();

    public GrainTypeRegistry Register<TInterface>(Func<IGrainContext, GrainServices, Grain> factory) where TInterface : IGrainWithStringKey
    {
        _factories[typeof(TInterface)] = factory;
        return this;
    }

    public IEnumerable<Type> Interfaces => _factories.Keys;

    public Grain Create(Type grainInterface, IGrainContext context, GrainServices services) =>
        _factories.TryGetValue(grainInterface, out var f)
            ? f(context, services)
            : throw new InvalidOperationException($"no grain class is registered for {grainInterface.Name}");
}
