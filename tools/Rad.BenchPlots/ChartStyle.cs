using ScottPlot;

namespace Rad.BenchPlots;

/// <summary>What both charts share: the two sides' colours, a title that names the machine and date, and how failures are told.</summary>
public static class ChartStyle
{
    public const int Width = 1200;
    public const int Height = 720;
    public static readonly Color Rad = Color.FromHex("#1f77b4");
    public static readonly Color Script = Color.FromHex("#ff7f0e");
    public static readonly Color Seed = Color.FromHex("#d62728");

    /// <summary>A figure without its machine and date cannot be compared with a later one, so both are in the title itself.</summary>
    public static void Title(Plot plot, string title, GrowthMeasurements measurements)
    {
        var commit = measurements.Commit.Length > 12 ? measurements.Commit[..12] : measurements.Commit;
        plot.Title($"{title}\n{measurements.Machine}; measured {measurements.Date.UtcDateTime:yyyy-MM-dd HH:mm} UTC at commit {commit}");
        plot.Axes.Title.Label.FontSize = 18;
    }

    /// <summary>A point that failed has no bar or marker; a note on the chart says which and why, so a gap is never silent.</summary>
    public static void Failures(Plot plot, IEnumerable<(string Point, string Side, string? Failure)> sides)
    {
        var lines = sides.Where(s => s.Failure is not null)
            .Select(s => $"{s.Side} at {s.Point}: {Shorten(s.Failure!)}")
            .ToList();
        if (lines.Count == 0)
            return;
        var note = plot.Add.Annotation("failed (not drawn):\n" + string.Join("\n", lines), Alignment.LowerRight);
        note.LabelFontSize = 12;
        note.LabelFontColor = Seed;
        note.LabelBackgroundColor = Colors.White;
        note.LabelBorderColor = Seed;
    }

    public static string Seconds(double seconds) => seconds < 10 ? $"{seconds:0.00} s" : seconds < 100 ? $"{seconds:0.0} s" : $"{seconds:0} s";

    static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= 110 ? line : line[..107] + "...";
    }
}
