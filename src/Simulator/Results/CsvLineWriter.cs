using System.Globalization;

namespace Orca.Simulator.Results;

/// <summary>Writes CSV rows quickly and the same way on every machine: invariant culture, RFC 4180 quoting, '\n'.</summary>
public sealed class CsvLineWriter(TextWriter writer) : IDisposable
{
    private bool _first = true;

    public CsvLineWriter Field(string? value)
    {
        Separator();
        if (value is null) return this;
        if (value.AsSpan().IndexOfAny(",\"\n\r") < 0) writer.Write(value);
        else
        {
            writer.Write('"');
            writer.Write(value.Replace("\"", "\"\""));
            writer.Write('"');
        }
        return this;
    }

    public CsvLineWriter Field(long value)
    {
        Separator();
        writer.Write(value.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    public CsvLineWriter Seconds(TimeSpan t)
    {
        Separator();
        writer.Write(t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture));
        return this;
    }

    public CsvLineWriter Empty()
    {
        Separator();
        return this;
    }

    public void End()
    {
        writer.Write('\n');
        _first = true;
    }

    public void Row(params string[] fields)
    {
        foreach (var f in fields) Field(f);
        End();
    }

    private void Separator()
    {
        if (!_first) writer.Write(',');
        _first = false;
    }

    public void Dispose() => writer.Dispose();
}
