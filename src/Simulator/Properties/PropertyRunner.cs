using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace Orca.Simulator.Properties;

public sealed record CheckOptions(int Runs, ulong Seed, string CounterexampleDirectory)
{
    /// <summary>Scheduler filters switched off on purpose, to prove the checks catch the bug (mutation testing).</summary>
    public IReadOnlyCollection<string> DisabledFilters { get; init; } = [];
}

/// <summary>What one property's run found. On failure, the shrunk counterexample is a scenario file and
/// <see cref="ReplayCommand"/> replays it.</summary>
/// <param name="Judged">Cases that met the property's precondition (all of them for properties without one).</param>
public sealed record PropertyReport(string Name, int Cases, int Judged, int Shrinks, bool Passed, string? Failure, CheckCase? Counterexample,
    string? CounterexamplePath, string? ReplayCommand, TimeSpan Elapsed);

/// <summary>Runs a property with FsCheck: generated cases from a seed, shrinking on failure, and the counterexample
/// written where a user can replay it.</summary>
public static class PropertyRunner
{
    public static PropertyReport Run(CheckProperty property, CheckOptions options, Action<int>? onCase = null)
    {
        var ctx = new CheckContext(options.DisabledFilters);
        var arb = Arb.From(property.Generator, CaseShrinker.Shrink);
        int judged = 0;
        var prop = Prop.ForAll(arb, c =>
        {
            if (property.Judges?.Invoke(c) ?? true) judged++;
            return property.Check(c, ctx) is null;
        });
        var runner = new ReportingRunner(onCase);
        var config = Config.Quick
            .WithMaxTest(options.Runs)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(options.Seed, 0x9E3779B97F4A7C15UL | 1), FSharpOption<int>.None)))
            .WithRunner(runner);
        var clock = Stopwatch.StartNew();
        Check.One(config, prop);
        clock.Stop();
        var result = runner.Result ?? throw new InvalidOperationException($"FsCheck reported nothing for {property.Name}");
        if (result is TestResult.Passed passed)
            return new PropertyReport(property.Name, passed.Item1.NumberOfTests, judged, 0, true, null, null, null, null, clock.Elapsed);
        if (result is TestResult.Exhausted exhausted)
            return new PropertyReport(property.Name, exhausted.Item.NumberOfTests, judged, 0, false, "gave up: too many cases rejected", null, null, null, clock.Elapsed);

        var failed = (TestResult.Failed)result;
        var shrunk = failed.Item3.OfType<CheckCase>().First();
        var failure = property.Check(shrunk, ctx) ?? (failed.Item4 is Outcome.Failed f ? f.Item.Message : "failed");
        var path = WriteCounterexample(property, options, shrunk, failure);
        var replay = $"./orca sim run {path}";
        return new PropertyReport(property.Name, failed.Item1.NumberOfTests, Math.Min(judged, failed.Item1.NumberOfTests), failed.Item1.NumberOfShrinks, false, failure, shrunk,
            path, replay, clock.Elapsed);
    }

    private static string WriteCounterexample(CheckProperty property, CheckOptions options, CheckCase shrunk, string failure)
    {
        Directory.CreateDirectory(options.CounterexampleDirectory);
        var mutation = options.DisabledFilters.Count == 0 ? "" : $"-without-{string.Join("-", options.DisabledFilters)}";
        var path = Path.Combine(options.CounterexampleDirectory, $"{property.Name}{mutation}-seed{options.Seed}.csv");
        var header = new List<string>
        {
            $"Counterexample to property {property.Number} ({property.Name}): {property.Description}.",
            $"Found by: orca check --property {property.Name} --seed {options.Seed} --runs {options.Runs}" +
                string.Concat(options.DisabledFilters.Select(f => $" --disable-filter {f}")),
            $"Shrunk to {shrunk}.",
            $"What broke: {failure}",
        };
        File.WriteAllText(path, property.ToScenario(shrunk, new CheckContext(options.DisabledFilters), header));
        return path;
    }

    /// <summary>Counts cases as they run and keeps FsCheck's verdict.</summary>
    private sealed class ReportingRunner(Action<int>? onCase) : IRunner
    {
        public TestResult? Result { get; private set; }
        public void OnStartFixture(Type t) { }
        public void OnArguments(int ntest, FSharpList<object> args, FSharpFunc<int, FSharpFunc<FSharpList<object>, string>> every) => onCase?.Invoke(ntest);
        public void OnShrink(FSharpList<object> args, FSharpFunc<FSharpList<object>, string> everyShrink) { }
        public void OnFinished(string name, TestResult testResult) => Result = testResult;
    }
}
