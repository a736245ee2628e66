using System.Globalization;
using CsvHelper;

namespace Orca.Simulator.Results;

/// <summary>
/// Rows of a results file, written by CsvHelper (RFC 4180 quoting and escaping, invariant culture, '\n' line ends, so
/// the same run gives the same bytes on every machine). What is Orca's here is only the fluent shape the observer
/// writes rows in and the fixed format of times (seconds with three decimals).
/// </summary>
public sealed class CsvLineWriter(TextWriter writer) : IDisposable
{
    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        NewLine = "\n", FormatProvider = CultureInfo.InvariantCulture, Injection = CsvInjection.None,
    };

    private readonly CsvWriter _csv = CsvWriter.Create(writer, Options, leaveOpen: false);

    public CsvLineWriter Field(string? value)
    {
        _csv.WriteField(value ?? "");
        return this;
    }

    public CsvLineWriter Field(long value)
    {
        _csv.WriteField(value.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    public CsvLineWriter Seconds(TimeSpan t)
    {
        _csv.WriteField(t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture));
        return this;
    }

    public CsvLineWriter Empty() => Field((string?)null);

    public void End() => _csv.EndRecord();

    public void Row(params string[] fields)
    {
        foreach (var f in fields) Field(f);
        End();
    }

    /// <summary>Flushes CsvHelper's buffer and closes the file.</summary>
    public void Dispose() => _csv.Dispose();
}
