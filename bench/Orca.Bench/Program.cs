using BenchmarkDotNet.Running;
using Orca.Bench;

// dotnet run -c Release --project bench/Orca.Bench -- [BenchmarkDotNet args]   (e.g. --filter '*Scheduler*')
// dotnet run -c Release --project bench/Orca.Bench -- scale scenarios/datacenter.csv   (end-to-end scale run)
if (args.Length > 0 && args[0] == "scale") return ScaleRun.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(SchedulerBenchmark).Assembly).Run(args);
return 0;
