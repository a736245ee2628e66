using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Orca.Cli;

/// <summary>What every API command shares: the silo address, --json, and turning errors into messages and exit codes.</summary>
public static class ApiCommand
{
    public static readonly Option<string> Silo = new("--silo")
    {
        Description = "The silo's API (default $ORCA_SILO or http://127.0.0.1:7070).", Recursive = true, DefaultValueFactory = _ => ApiClient.DefaultSilo,
    };

    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON for scripts instead of tables.", Recursive = true };

    public static void SetAction(Command command, Func<ParseResult, ApiClient, Task<int>> action) =>
        command.SetAction(async (parse, _) =>
        {
            using var api = new ApiClient(parse.GetValue(Silo)!);
            try
            {
                return await action(parse, api);
            }
            catch (ApiException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return e.ExitCode;
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.BadInput;
            }
        });

    public static void PrintJson(JsonNode? node) => Console.WriteLine(node?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null");

    public static string S(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    public static Table Table(params string[] columns)
    {
        var t = new Table().Border(TableBorder.Simple);
        foreach (var c in columns) t.AddColumn(c);
        return t;
    }

    public static void Row(Table t, params string[] cells) => t.AddRow(cells.Select(Markup.Escape).ToArray());
}
