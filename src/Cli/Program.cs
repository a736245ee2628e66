using System.CommandLine;
using Orca.Cli;
using Spectre.Console;

if (Console.IsOutputRedirected)
{
    AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });
    AnsiConsole.Profile.Width = 200; // logs and scripts read whole lines
}

var root = new RootCommand("Orca: a container orchestrator whose control plane runs on real Docker hosts and in a deterministic simulator.");
root.Subcommands.Add(SimCommands.Create());
root.Subcommands.Add(CheckCommand.Create());
root.Subcommands.Add(PlotCommand.Create());
root.Subcommands.Add(SiloCommands.Create());
root.Subcommands.Add(NodeCommands.Create());
root.Subcommands.Add(ServiceCommands.Create());
root.Subcommands.Add(EventsCommand.Create());
root.Subcommands.Add(ClusterCommands.Create());
root.Options.Add(ApiCommand.Silo);
root.Options.Add(ApiCommand.Json);
return await root.Parse(args).InvokeAsync();
