namespace Orca.Simulator.Scenarios;

/// <summary>One problem in a scenario file, located by file, line and column (the CSV field, 1-based).</summary>
public sealed record ScenarioError(string File, int Line, int Column, string Field, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}: {Field}: {Message}" : $"{File}: {Message}";
}

/// <summary>The scenario cannot run; every error found is listed.</summary>
public sealed class ScenarioException(IReadOnlyList<ScenarioError> errors)
    : Exception(string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
{
    public IReadOnlyList<ScenarioError> Errors { get; } = errors;
}
