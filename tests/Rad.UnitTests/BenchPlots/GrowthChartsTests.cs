using System.Buffers.Binary;
using Rad.BenchPlots;
using Xunit;

namespace Rad.UnitTests.BenchPlots;

public class GrowthChartsTests
{
    static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void Both_charts_are_written_as_pngs_of_the_chart_size_even_with_a_failed_point()
    {
        var (measurements, errors) = GrowthMeasurementsReader.Parse(GrowthJson.With());
        Assert.Empty(errors);
        var folder = Path.Combine(Path.GetTempPath(), $"rad-charts-{Guid.NewGuid():N}", "docs");
        try
        {
            var written = GrowthCharts.Write(measurements!, folder);

            Assert.Equal([Path.Combine(folder, "growth-applications.png"), Path.Combine(folder, "growth-image-size.png")], written);
            foreach (var path in written)
            {
                var bytes = File.ReadAllBytes(path);
                Assert.Equal(PngSignature, bytes[..8]);
                // The first chunk is IHDR: its width and height, big-endian, at bytes 16-23.
                Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
                Assert.Equal(ChartStyle.Width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
                Assert.Equal(ChartStyle.Height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    [Fact]
    public void A_folder_that_cannot_be_created_is_a_clear_error()
    {
        var (measurements, _) = GrowthMeasurementsReader.Parse(GrowthJson.With());
        var file = Path.GetTempFileName();
        try
        {
            var error = Assert.Throws<GrowthInputException>(() => GrowthCharts.Write(measurements!, Path.Combine(file, "docs")));

            Assert.StartsWith($"cannot write the charts into {Path.Combine(file, "docs")}: ", error.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
