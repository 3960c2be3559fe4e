using ScottPlot;

namespace Rad.BenchPlots;

/// <summary>growth-applications.png: trigger-to-answering against the number of applications in one rad.json, RAD's bar beside the script's.</summary>
public static class ApplicationsChart
{
    const double BarWidth = 0.38;

    public static void Save(GrowthMeasurements measurements, string path)
    {
        var plot = new Plot();
        ChartStyle.Title(plot, "Trigger to answering against the number of applications (new commit, 1 replica each)", measurements);
        var points = measurements.Applications.OrderBy(p => p.Count).ToList();
        var bars = new List<Bar>();
        var top = 0.0;
        for (var i = 0; i < points.Count; i++)
        {
            foreach (var (samples, offset, color) in new[] { (points[i].Rad, -BarWidth / 2, ChartStyle.Rad), (points[i].Script, BarWidth / 2, ChartStyle.Script) })
            {
                if (!samples.Succeeded)
                {
                    var failed = plot.Add.Text("failed", i + offset, 0);
                    failed.LabelFontColor = ChartStyle.Seed;
                    failed.LabelAlignment = Alignment.LowerCenter;
                    failed.OffsetY = -4;
                    continue;
                }
                bars.Add(new Bar { Position = i + offset, Value = samples.Median, Size = BarWidth, FillColor = color, Label = ChartStyle.Seconds(samples.Median) });
                top = Math.Max(top, samples.Seconds.Max());
                // With more than one run the bar is the median; every sample is drawn on it so the spread shows.
                if (samples.Seconds.Count > 1)
                    plot.Add.Markers(samples.Seconds.Select(_ => i + offset).ToArray(), samples.Seconds.ToArray(), MarkerShape.OpenCircle, 6, Colors.Black);
            }
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 13;

        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var i = 0; i < points.Count; i++)
            ticks.AddMajor(i, points[i].Count.ToString());
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.XLabel("applications in one rad.json (each built, pushed and started; count)");
        plot.YLabel("trigger to every application answering (seconds)");
        // A linear axis from 0: the question is how the time grows with the count, which a linear scale shows as it is.
        plot.Axes.SetLimits(-0.6, points.Count - 0.4, 0, Math.Max(top, 0.1) * 1.18);

        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "RAD (POST to every port answering at the edge)", FillColor = ChartStyle.Rad });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "hand-written script (clone, build, push, service create)", FillColor = ChartStyle.Script });
        plot.ShowLegend(Alignment.UpperLeft);
        ChartStyle.Failures(plot, points.SelectMany(p => new[] { ($"{p.Count} applications", "RAD", p.Rad.Failure), ($"{p.Count} applications", "script", p.Script.Failure) }));
        plot.SavePng(path, ChartStyle.Width, ChartStyle.Height);
    }
}
