using Orca.Grains.Model;

namespace Orca.Grains.Tests;

public class QuantityFormatTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("90s", 900_000_000)]
    [InlineData("5m", 3_000_000_000)]
    [InlineData("1h30m", 54_000_000_000)]
    [InlineData("250ms", 2_500_000)]
    [InlineData("1.5s", 15_000_000)]
    public void Durations(string text, long ticks)
    {
        Assert.True(QuantityFormat.TryParseDuration(text, out var d));
        Assert.Equal(ticks, d.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData("m5")]
    [InlineData("-5s")]
    public void BadDurations(string text) => Assert.False(QuantityFormat.TryParseDuration(text, out _));

    [Theory]
    [InlineData("250m", 250)]
    [InlineData("2", 2000)]
    [InlineData("0.5", 500)]
    public void Cpu(string text, long millis)
    {
        Assert.True(QuantityFormat.TryParseCpuMillis(text, out var m));
        Assert.Equal(millis, m);
    }

    [Theory]
    [InlineData("64Mi", 64L << 20)]
    [InlineData("1Gi", 1L << 30)]
    [InlineData("512M", 512_000_000)]
    [InlineData("1000", 1000)]
    public void Bytes(string text, long bytes)
    {
        Assert.True(QuantityFormat.TryParseBytes(text, out var b));
        Assert.Equal(bytes, b);
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("-1Gi")]
    [InlineData("1Qi")]
    public void BadBytes(string text) => Assert.False(QuantityFormat.TryParseBytes(text, out _));
}
