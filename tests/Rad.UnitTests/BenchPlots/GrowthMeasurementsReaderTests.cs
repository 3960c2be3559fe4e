using Rad.BenchPlots;
using Xunit;

namespace Rad.UnitTests.BenchPlots;

public class GrowthMeasurementsReaderTests
{
    [Fact]
    public void A_file_as_bench_growth_writes_it_reads_with_every_sample_and_failure()
    {
        var (measurements, errors) = GrowthMeasurementsReader.Parse(GrowthJson.With());

        Assert.Empty(errors);
        Assert.Equal(new Machine(2, "AMD EPYC", 23.4), measurements!.Machine);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 16, 5, 0, TimeSpan.Zero), measurements.Date);
        Assert.Equal([1, 16], measurements.Applications.Select(p => p.Count));
        Assert.Equal([2.1, 2.3, 2.2], measurements.Applications[0].Rad.Seconds);
        Assert.Equal(2.2, measurements.Applications[0].Rad.Median);
        Assert.Equal(1.6, measurements.Applications[0].Script.Median);
        var failed = measurements.ImageSize[1].Rad;
        Assert.False(failed.Succeeded);
        Assert.Equal("build docker image[growth-size]: out of memory", failed.Failure);
        Assert.Equal(new SeedReference("seed system", 1060, 1025.7), measurements.Reference);
    }

    [Fact]
    public void The_median_of_an_even_count_is_the_mean_of_the_middle_two()
    {
        Assert.Equal(2.5, new Samples([4, 1, 2, 3], null).Median);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_its_json_path()
    {
        var (measurements, errors) = GrowthMeasurementsReader.Parse(GrowthJson.With(
            machine: """{"cores": 0, "cpu": "", "memoryGiB": 23.4, "disk": 1}""",
            applications: """[{"count": 2.5, "rad": {"seconds": [1.0, -3]}, "script": {"seconds": []}}]""",
            imageSize: "[]",
            date: "\"yesterday\""));

        Assert.Null(measurements);
        Assert.Contains("date must be an ISO 8601 time such as \"2026-11-23T15:58:53Z\", found \"yesterday\"", errors);
        Assert.Contains("machine.cores must be a positive whole number, found 0", errors);
        Assert.Contains("machine.cpu must be a non-empty string, found \"\"", errors);
        Assert.Contains("machine.disk is not a known field (known: cores, cpu, memoryGiB)", errors);
        Assert.Contains("applications[0].count must be a positive whole number, found 2.5", errors);
        Assert.Contains("applications[0].rad.seconds[1] must be a positive number of seconds, found -3", errors);
        Assert.Contains("applications[0].script has no sample and no failure: give the measured seconds, or the reason none was measured in \"failure\"", errors);
        Assert.Contains("imageSize must be a non-empty array of measured points, found an empty array", errors);
    }

    [Fact]
    public void Two_points_at_the_same_count_are_refused()
    {
        var (_, errors) = GrowthMeasurementsReader.Parse(GrowthJson.With(applications: """
            [{"count": 4, "rad": {"seconds": [3]}, "script": {"seconds": [3]}}, {"count": 4, "rad": {"seconds": [3]}, "script": {"seconds": [3]}}]
            """));

        Assert.Equal(["applications has 2 points with count 4: put every sample of a point in one \"seconds\" array"], errors);
    }

    [Fact]
    public void Without_a_reference_the_file_still_reads()
    {
        var (measurements, errors) = GrowthMeasurementsReader.Parse(GrowthJson.With(reference: "null"));

        Assert.Empty(errors);
        Assert.Null(measurements!.Reference);
    }

    [Theory]
    [InlineData("{\"date\": ", "it is not valid JSON")]
    [InlineData("[1, 2]", "it must be a JSON object with \"machine\", \"date\", \"commit\", \"applications\" and \"imageSize\", found an array")]
    public void Text_that_is_not_a_measurements_object_says_so(string json, string expected)
    {
        var (measurements, errors) = GrowthMeasurementsReader.Parse(json);

        Assert.Null(measurements);
        Assert.StartsWith(expected, Assert.Single(errors));
    }

    [Fact]
    public void A_missing_file_names_its_path_and_what_writes_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rad-no-such-{Guid.NewGuid():N}", "growth.json");

        var error = Assert.Throws<GrowthInputException>(() => GrowthMeasurementsReader.ReadFile(path));

        Assert.Equal($"no measurements at {path}: the file does not exist; scripts/bench-growth OUT_DIR writes it as OUT_DIR/growth.json, or pass the path of one", error.Message);
    }

    [Fact]
    public void An_invalid_file_names_its_path_and_every_problem()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rad-growth-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, GrowthJson.With(reference: """{"label": "seed", "megabytes": 1060}"""));
        try
        {
            var error = Assert.Throws<GrowthInputException>(() => GrowthMeasurementsReader.ReadFile(path));

            Assert.Equal($"{path} is not a valid growth.json: reference.seconds must be a positive number, found nothing (scripts/bench-growth OUT_DIR writes it as OUT_DIR/growth.json)", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
