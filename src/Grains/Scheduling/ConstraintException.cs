namespace Orca.Grains.Scheduling;

/// <summary>A constraint or spread preference that cannot be read; the message says what was expected.</summary>
public sealed class ConstraintException(string message) : ArgumentException(message);
