using System.Globalization;
using Orca.Grains.Model;

namespace Orca.Simulator.Scenarios;

/// <summary>One <c>key=value</c> (or <c>key&gt;=value</c> in expect rows) of a row's params field.</summary>
public sealed record Param(string Key, CompareOp Op, string Value);

/// <summary>The params field of a row: space-separated <c>key=value</c> pairs; some keys may repeat.
/// Every accessor reports a wrong value through <see cref="RowContext"/> and returns a default, so one pass finds every error.</summary>
public sealed class ParamList
{
    private readonly List<Param> _items;
    private readonly RowContext _row;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private ParamList(List<Param> items, RowContext row)
    {
        _items = items;
        _row = row;
    }

    public static ParamList Parse(string? text, RowContext row, bool allowComparisons)
    {
        var items = new List<Param>();
        foreach (var token in (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            int k = 0;
            while (k < token.Length && (char.IsAsciiLetterOrDigit(token[k]) || token[k] == '-')) k++;
            var key = token[..k];
            var rest = token[k..];
            (CompareOp op, int len) = rest switch
            {
                _ when rest.StartsWith(">=", StringComparison.Ordinal) => (CompareOp.AtLeast, 2),
                _ when rest.StartsWith("<=", StringComparison.Ordinal) => (CompareOp.AtMost, 2),
                _ when rest.StartsWith('=') => (CompareOp.Equal, 1),
                _ when rest.StartsWith('>') => (CompareOp.Greater, 1),
                _ when rest.StartsWith('<') => (CompareOp.Less, 1),
                _ => (CompareOp.Equal, 0),
            };
            if (key.Length == 0 || len == 0)
            {
                row.ParamError($"'{token}' is not key=value (e.g. replicas=3)");
                continue;
            }
            if (op != CompareOp.Equal && !allowComparisons)
            {
                row.ParamError($"'{token}': only expect rows compare with >=, <=, > or <; write {key}=VALUE");
                continue;
            }
            items.Add(new Param(key.ToLowerInvariant(), op, rest[len..]));
        }
        return new ParamList(items, row);
    }

    public IReadOnlyList<Param> All => _items;
    public bool Has(string key) => _items.Any(p => p.Key == key);

    public string? String(string key)
    {
        _used.Add(key);
        string? value = null;
        foreach (var p in _items.Where(p => p.Key == key))
        {
            if (value is not null) _row.ParamError($"{key} is given twice");
            value = p.Value;
        }
        return value;
    }

    public IReadOnlyList<string> Repeated(string key)
    {
        _used.Add(key);
        return _items.Where(p => p.Key == key).Select(p => p.Value).ToList();
    }

    public int? Int(string key, int min, int max)
    {
        var s = String(key);
        if (s is null) return null;
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max) return n;
        _row.ParamError($"{key}={s}: expected a whole number from {min} to {max}");
        return null;
    }

    public double? Double(string key, double min, double max)
    {
        var s = String(key);
        if (s is null) return null;
        if (double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) && d >= min && d <= max) return d;
        _row.ParamError($"{key}={s}: expected a number from {min} to {max}");
        return null;
    }

    public TimeSpan? Duration(string key)
    {
        var s = String(key);
        if (s is null) return null;
        if (QuantityFormat.TryParseDuration(s, out var d)) return d;
        _row.ParamError($"{key}={s}: expected a duration such as 500ms, 90s, 5m or 1h30m");
        return null;
    }

    /// <summary><c>min..max</c> or a single duration (min = max).</summary>
    public (TimeSpan Min, TimeSpan Max)? DurationRange(string key)
    {
        var s = String(key);
        if (s is null) return null;
        var parts = s.Split("..");
        if (parts.Length <= 2 && QuantityFormat.TryParseDuration(parts[0], out var min))
        {
            var max = min;
            if (parts.Length == 1 || QuantityFormat.TryParseDuration(parts[1], out max))
            {
                if (max >= min) return (min, max);
            }
        }
        _row.ParamError($"{key}={s}: expected a duration or a range MIN..MAX such as 1s..3s (MIN not above MAX)");
        return null;
    }

    public long? Cpu(string key) => Quantity(key, QuantityFormat.TryParseCpuMillis, "CPUs as cores (2, 0.5) or millicores (250m)");

    public long? Bytes(string key) => Quantity(key, QuantityFormat.TryParseBytes, "a size such as 64Mi, 1Gi or 512M");

    private delegate bool TryParse(string text, out long value);

    private long? Quantity(string key, TryParse parse, string expected)
    {
        var s = String(key);
        if (s is null) return null;
        if (parse(s, out var value)) return value;
        _row.ParamError($"{key}={s}: expected {expected}");
        return null;
    }

    public T? Choice<T>(string key, params (string Name, T Value)[] choices) where T : struct
    {
        var s = String(key);
        if (s is null) return null;
        foreach (var (name, value) in choices)
            if (string.Equals(name, s, StringComparison.OrdinalIgnoreCase)) return value;
        _row.ParamError($"{key}={s}: expected one of {string.Join(", ", choices.Select(c => c.Name))}");
        return null;
    }

    /// <summary>Reports every key no accessor asked for, suggesting the closest known one.</summary>
    public void RejectUnknown(IReadOnlyCollection<string> known)
    {
        foreach (var p in _items)
        {
            if (_used.Contains(p.Key)) continue;
            var hint = known.OrderBy(k => EditDistance(k, p.Key)).FirstOrDefault(k => EditDistance(k, p.Key) <= 2);
            _row.ParamError($"unknown parameter '{p.Key}' for {_row.Action}" + (hint is null ? "" : $"; did you mean '{hint}'?")
                + $" (expected: {string.Join(", ", known)})");
        }
    }

    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}

/// <summary>Where a row is, and the sink of its errors.</summary>
public sealed class RowContext(string file, int line, string action, List<ScenarioError> errors)
{
    public const int TimeColumn = 1, ActionColumn = 2, TargetColumn = 3, ParamsColumn = 4;

    public string File { get; } = file;
    public int Line { get; } = line;
    public string Action { get; } = action;

    public void Error(int column, string field, string message) => errors.Add(new ScenarioError(File, Line, column, field, message));
    public void ParamError(string message) => Error(ParamsColumn, "params", message);
    public void TargetError(string message) => Error(TargetColumn, "target", message);
}
