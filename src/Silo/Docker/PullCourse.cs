using Orca.Grains.Runtime;

namespace Orca.Silo.Docker;

/// <summary>
/// Follows one image pull from Docker's per-layer progress lines and tells the caller its course: started, each
/// time the bytes fetched over all layers pass another quarter of the bytes known, done, or failed. Docker sends a
/// line every few hundred kilobytes per layer; an event for each would bury everything else in `orca events`.
/// </summary>
public sealed class PullCourse
{
    private readonly string _image;
    private readonly IProgress<PullProgress>? _to;
    private readonly Dictionary<string, (long Current, long Total)> _layers = new(StringComparer.Ordinal);
    private int _quarter;

    public PullCourse(string image, IProgress<PullProgress>? to)
    {
        _image = image;
        _to = to;
        _to?.Report(new PullProgress(image, PullStage.Started, 0, 0, $"pulling {image}"));
    }

    public long Current => _layers.Values.Sum(l => l.Current);
    public long Total => _layers.Values.Sum(l => l.Total);

    /// <summary>One line of the pull's stream: a layer's status and, while downloading, its bytes.</summary>
    public void Layer(string? id, string? status, long current, long total)
    {
        if (string.IsNullOrEmpty(id) || status is null) return;
        var known = _layers.GetValueOrDefault(id);
        if (status.StartsWith("Downloading", StringComparison.Ordinal) && total > 0) _layers[id] = (current, total);
        else if (status is "Download complete" or "Pull complete" or "Already exists" && known.Total > 0) _layers[id] = (known.Total, known.Total);
        else return;
        long all = Total;
        if (all <= 0) return;
        int quarter = (int)(4 * Current / all);
        if (quarter <= _quarter || quarter >= 4) return;
        _quarter = quarter;
        _to?.Report(new PullProgress(_image, PullStage.Progress, Current, all, $"{Bytes(Current)} of {Bytes(all)}"));
    }

    public void Done(string status) =>
        _to?.Report(new PullProgress(_image, PullStage.Done, Current, Total, Total > 0 ? $"{status} ({Bytes(Total)})" : status));

    public void Failed(string why) => _to?.Report(new PullProgress(_image, PullStage.Failed, Current, Total, why));

    private static string Bytes(long n) => n switch
    {
        >= 1 << 30 => $"{n / (double)(1 << 30):0.#} GiB",
        >= 1 << 20 => $"{n / (double)(1 << 20):0.#} MiB",
        >= 1 << 10 => $"{n / 1024.0:0.#} KiB",
        _ => $"{n} B",
    };
}
