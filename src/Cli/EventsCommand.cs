using System.CommandLine;
using System.Text.Json.Nodes;
using static Orca.Cli.ApiCommand;

namespace Orca.Cli;

/// <summary><c>orca events [--follow]</c>: task and node transitions, service changes, pending reasons.</summary>
public static class EventsCommand
{
    public static Command Create()
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events (server-sent events) until interrupted." };
        var since = new Option<long>("--since") { Description = "Only events after this sequence number." };
        var events = new Command("events", "Show what happened: task and node transitions, service changes, pending reasons.") { follow, since };
        SetAction(events, async (parse, api) =>
        {
            bool json = parse.GetValue(Json);
            if (!parse.GetValue(follow))
            {
                foreach (var e in (await api.GetAsync($"v1/events?since={parse.GetValue(since)}"))!.AsArray()) Print(e!, json);
                return ExitCodes.Ok;
            }
            using var stream = await api.StreamAsync($"v1/events/stream?since={parse.GetValue(since)}", CancellationToken.None);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync() is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                Print(JsonNode.Parse(line["data: ".Length..])!, json);
            }
            return ExitCodes.Ok;
        });
        return events;
    }

    private static void Print(JsonNode e, bool json)
    {
        if (json) { Console.WriteLine(e.ToJsonString()); return; }
        var time = DateTimeOffset.Parse(S(e["time"]), System.Globalization.CultureInfo.InvariantCulture).ToLocalTime().ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine($"{time} {S(e["kind"]),-8} {S(e["subject"]),-24} {S(e["state"]),-14} {S(e["node"]),-10} {S(e["message"])}".TrimEnd());
        Console.Out.Flush();
    }
}
