using Orca.Grains.Runtime;
using Orca.Silo.Docker;

namespace Orca.Silo.Tests;

/// <summary>The course of a pull told from Docker's per-layer lines: a few events, not one per chunk.</summary>
public class PullCourseTests
{
    [Fact]
    public void TwoLayersInManyChunksGiveStartedThreeQuartersAndDone()
    {
        var told = new List<PullProgress>();
        var course = new PullCourse("img:1", new Reporter<PullProgress>(told.Add));
        course.Layer("a", "Pulling fs layer", 0, 0);
        course.Layer("b", "Pulling fs layer", 0, 0);
        for (int k = 1; k <= 50; k++)
        {
            course.Layer("a", "Downloading", k * 2_000, 100_000);
            course.Layer("b", "Downloading", k * 6_000, 300_000);
        }
        course.Layer("a", "Download complete", 0, 0);
        course.Layer("a", "Pull complete", 0, 0);
        course.Layer("b", "Pull complete", 0, 0);
        course.Done("Status: Downloaded newer image for img:1");
        Assert.Equal([PullStage.Started, PullStage.Progress, PullStage.Progress, PullStage.Progress, PullStage.Done], told.Select(t => t.Stage));
        Assert.Equal("101.6 KiB of 390.6 KiB", told[1].Message); // the first line past a quarter of 400,000 bytes
        Assert.Equal("Status: Downloaded newer image for img:1 (390.6 KiB)", told[^1].Message);
        Assert.Equal(400_000, told[^1].Total);
    }

    [Fact]
    public void AFailedPullSaysWhy()
    {
        var told = new List<PullProgress>();
        var course = new PullCourse("img:1", new Reporter<PullProgress>(told.Add));
        course.Failed("manifest unknown");
        Assert.Equal((PullStage.Failed, "manifest unknown"), (told[^1].Stage, told[^1].Message));
    }
}
