namespace Rad.BenchPlots;

/// <summary>Writes both charts of one growth.json into a folder and returns their paths.</summary>
public static class GrowthCharts
{
    public const string ApplicationsFile = "growth-applications.png";
    public const string ImageSizeFile = "growth-image-size.png";

    public static IReadOnlyList<string> Write(GrowthMeasurements measurements, string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GrowthInputException($"cannot write the charts into {Path.GetFullPath(folder)}: {e.Message}; give a folder that can be created and written");
        }
        var applications = Path.Combine(folder, ApplicationsFile);
        var imageSize = Path.Combine(folder, ImageSizeFile);
        ApplicationsChart.Save(measurements, applications);
        ImageSizeChart.Save(measurements, imageSize);
        return [applications, imageSize];
    }
}
