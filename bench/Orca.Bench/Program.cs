using BenchmarkDotNet.Running;
using Orca.Bench;

// dotnet run -c Release --project bench/Orca.Bench -- [BenchmarkDotNet args]   (e.g. --filter '*Scheduler*')
// dotnet run -c Release --project bench/Orca.Bench -- scale scenarios/datacenter.csv   (end-to-end scale run)
// dotnet run -c Release --project bench/Orca.Bench -- plots RESULTS_DIR   (the plot step alone: draw + SVG, PNG)
// dotnet run -c Release --project bench/Orca.Bench -- grain-calls "Host=…;Database=…"   (calls/s in one silo and between two)
if (args.Length > 0 && args[0] == "scale") return ScaleRun.Run(args[1..]);
if (args.Length > 0 && args[0] == "plots") return PlotRun.Run(args[1..]);
if (args.Length > 0 && args[0] == "grain-calls") return await GrainCallRun.RunAsync(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(SchedulerBenchmark).Assembly).Run(args);
return 0;
