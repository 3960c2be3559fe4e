namespace Rad.UnitTests.BenchPlots;

/// <summary>A growth.json as scripts/bench-growth writes it, with one part replaceable per test.</summary>
static class GrowthJson
{
    public const string Machine = """{"cores": 2, "cpu": "AMD EPYC", "memoryGiB": 23.4}""";

    public const string Applications = """
        [{"count": 1, "rad": {"seconds": [2.1, 2.3, 2.2], "failure": null}, "script": {"seconds": [1.5, 1.7, 1.6], "failure": null}},
         {"count": 16, "rad": {"seconds": [10.2]}, "script": {"seconds": [15.4]}}]
        """;

    public const string ImageSize = """
        [{"megabytes": 10, "rad": {"seconds": [2.5]}, "script": {"seconds": [2.0]}},
         {"megabytes": 1000, "rad": {"seconds": [], "failure": "build docker image[growth-size]: out of memory"}, "script": {"seconds": [48.0]}}]
        """;

    public const string Reference = """{"label": "seed system", "megabytes": 1060, "seconds": 1025.7}""";

    public static string With(string machine = Machine, string applications = Applications, string imageSize = ImageSize, string reference = Reference,
        string date = "\"2026-11-23T16:05:00Z\"") => $$"""
        {"date": {{date}}, "commit": "25df5812345678901234", "runs": 3, "machine": {{machine}},
         "applications": {{applications}}, "imageSize": {{imageSize}}, "reference": {{reference}}}
        """;
}
