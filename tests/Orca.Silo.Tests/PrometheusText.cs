using System.Globalization;

namespace Orca.Silo.Tests;

/// <summary>Reads a scrape in the Prometheus text exposition format: every sample as (name, labels, value).</summary>
internal static class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public static List<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            int brace = line.IndexOf('{');
            int space = line.IndexOf(' ');
            string name;
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            string rest;
            if (brace >= 0 && (space < 0 || brace < space))
            {
                name = line[..brace];
                int close = ClosingBrace(line, brace); // label values may hold braces ("/v1/services/{name}")
                foreach (var pair in SplitLabels(line[(brace + 1)..close]))
                {
                    int eq = pair.IndexOf('=');
                    labels[pair[..eq]] = pair[(eq + 1)..].Trim('"');
                }
                rest = line[(close + 1)..].Trim();
            }
            else
            {
                name = line[..space];
                rest = line[(space + 1)..].Trim();
            }
            var value = rest.Split(' ')[0];
            samples.Add(new Sample(name, labels, value switch
            {
                "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, "NaN" => double.NaN,
                _ => double.Parse(value, CultureInfo.InvariantCulture),
            }));
        }
        return samples;
    }

    /// <summary>The value of the one sample with this name whose labels include these.</summary>
    public static double Value(this List<Sample> samples, string name, params (string Key, string Value)[] labels) =>
        samples.Single(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Value;

    private static int ClosingBrace(string line, int open)
    {
        bool quoted = false;
        for (int i = open + 1; i < line.Length; i++)
        {
            if (line[i] == '"' && line[i - 1] != '\\') quoted = !quoted;
            else if (line[i] == '}' && !quoted) return i;
        }
        throw new FormatException($"no closing brace: {line}");
    }

    private static IEnumerable<string> SplitLabels(string body)
    {
        int start = 0;
        bool quoted = false;
        for (int i = 0; i < body.Length; i++)
        {
            if (body[i] == '"' && (i == 0 || body[i - 1] != '\\')) quoted = !quoted;
            else if (body[i] == ',' && !quoted)
            {
                yield return body[start..i];
                start = i + 1;
            }
        }
        if (start < body.Length) yield return body[start..];
    }
}
