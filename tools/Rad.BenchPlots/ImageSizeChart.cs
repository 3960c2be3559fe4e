using ScottPlot;

namespace Rad.BenchPlots;

/// <summary>growth-image-size.png: trigger-to-answering against the size of the image's layers, RAD and the script, with the seed system's figure.</summary>
public static class ImageSizeChart
{
    public static void Save(GrowthMeasurements measurements, string path)
    {
        var plot = new Plot();
        ChartStyle.Title(plot, "Trigger to answering against image size (one application, a layer of random bytes, new commit)", measurements);
        var points = measurements.ImageSize.OrderBy(p => p.Megabytes).ToList();
        // Both axes are logarithmic: the sizes span two decades (10 MB to 1 GB), and the seed's 1025.7 s stands beside
        // RAD's few seconds; on a linear axis the small points would sit flat on the floor under the reference.
        var seconds = new List<double>();
        AddSeries(plot, points, p => p.Rad, ChartStyle.Rad, "RAD (POST to answering at the edge)", seconds, above: true);
        AddSeries(plot, points, p => p.Script, ChartStyle.Script, "hand-written script (clone, build, push, service create)", seconds, above: false);
        var megabytes = points.Select(p => p.Megabytes).ToList();
        if (measurements.Reference is { } seed)
        {
            var line = plot.Add.HorizontalLine(Math.Log10(seed.Seconds), 1.5f, ChartStyle.Seed, LinePattern.Dashed);
            line.LegendText = $"{seed.Label}: {seed.Seconds:0.#} s for {Size(seed.Megabytes)}";
            var marker = plot.Add.Marker(Math.Log10(seed.Megabytes), Math.Log10(seed.Seconds), MarkerShape.FilledDiamond, 14, ChartStyle.Seed);
            marker.LegendText = "";
            Label(plot, seed.Megabytes, seed.Seconds, $"seed: {seed.Seconds:0.#} s", ChartStyle.Seed, above: true);
            seconds.Add(seed.Seconds);
            megabytes.Add(seed.Megabytes);
        }

        plot.Axes.Bottom.TickGenerator = LogTicks(Size);
        plot.Axes.Left.TickGenerator = LogTicks(s => s >= 1 ? $"{s:0} s" : $"{s:0.#} s");
        plot.XLabel("size of the image's added layer (MB, logarithmic)");
        plot.YLabel("trigger to answering (seconds, logarithmic)");
        var low = seconds.Count > 0 ? seconds.Min() : 1;
        var high = seconds.Count > 0 ? seconds.Max() : 10;
        plot.Axes.SetLimits(Math.Log10(megabytes.Min() / 1.8), Math.Log10(megabytes.Max() * 1.8), Math.Log10(low / 2), Math.Log10(high * 2.5));
        plot.ShowLegend(Alignment.UpperLeft);
        ChartStyle.Failures(plot, points.SelectMany(p => new[] { (Size(p.Megabytes), "RAD", p.Rad.Failure), (Size(p.Megabytes), "script", p.Script.Failure) }));
        plot.SavePng(path, ChartStyle.Width, ChartStyle.Height);
    }

    static void AddSeries(Plot plot, List<ImageSizePoint> points, Func<ImageSizePoint, Samples> side, Color color, string legend, List<double> seconds, bool above)
    {
        var measured = points.Where(p => side(p).Succeeded).ToList();
        if (measured.Count == 0)
            return;
        var scatter = plot.Add.Scatter(measured.Select(p => Math.Log10(p.Megabytes)).ToArray(), measured.Select(p => Math.Log10(side(p).Median)).ToArray(), color);
        scatter.LegendText = legend;
        scatter.LineWidth = 2;
        scatter.MarkerSize = 9;
        foreach (var point in measured)
        {
            var samples = side(point);
            seconds.AddRange(samples.Seconds);
            Label(plot, point.Megabytes, samples.Median, ChartStyle.Seconds(samples.Median), color, above);
            if (samples.Seconds.Count > 1)
                plot.Add.Markers(samples.Seconds.Select(_ => Math.Log10(point.Megabytes)).ToArray(), samples.Seconds.Select(Math.Log10).ToArray(), MarkerShape.OpenCircle, 6, color);
        }
    }

    /// <summary>RAD's labels go above its markers and the script's below, so two close values do not print over each other.</summary>
    static void Label(Plot plot, double megabytes, double seconds, string text, Color color, bool above)
    {
        var label = plot.Add.Text(text, Math.Log10(megabytes), Math.Log10(seconds));
        label.LabelFontColor = color;
        label.LabelFontSize = 13;
        label.OffsetX = 8;
        label.OffsetY = above ? -22 : 6;
    }

    /// <summary>Ticks at whole decades of a log10 axis, labelled with the real values, and minor ticks at 2-9 of each decade.</summary>
    static ScottPlot.TickGenerators.NumericAutomatic LogTicks(Func<double, string> format) => new()
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = exponent => format(Math.Pow(10, exponent)),
    };

    static string Size(double megabytes) => megabytes >= 1000 ? $"{megabytes / 1000:0.##} GB" : $"{megabytes:0.#} MB";
}
