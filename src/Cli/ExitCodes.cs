namespace Orca.Cli;

public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The run finished but an expect row or an invariant failed.</summary>
    public const int Failed = 1;

    /// <summary>The input is wrong (scenario errors, bad options); nothing ran.</summary>
    public const int BadInput = 2;

    /// <summary>Prints "error: MESSAGE" on standard error and returns <see cref="BadInput"/>.</summary>
    public static int Refuse(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return BadInput;
    }
}
