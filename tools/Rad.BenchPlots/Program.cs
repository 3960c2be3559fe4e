using Rad.BenchPlots;

// Usage: Rad.BenchPlots GROWTH_JSON OUT_DIR   (scripts/bench-growth runs it)
// Draws growth-applications.png and growth-image-size.png into OUT_DIR from what scripts/bench-growth measured.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Rad.BenchPlots GROWTH_JSON OUT_DIR (scripts/bench-growth OUT_DIR measures and then runs it)");
    return 2;
}
try
{
    var measurements = GrowthMeasurementsReader.ReadFile(args[0]);
    foreach (var written in GrowthCharts.Write(measurements, args[1]))
        Console.WriteLine(written);
    return 0;
}
catch (GrowthInputException e)
{
    Console.Error.WriteLine($"Rad.BenchPlots: {e.Message}");
    return 1;
}
