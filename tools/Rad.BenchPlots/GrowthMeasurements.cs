namespace Rad.BenchPlots;

/// <summary>What scripts/bench-growth measured (growth.json): both series, RAD beside the hand-written script.</summary>
public sealed record GrowthMeasurements(
    Machine Machine,
    DateTimeOffset Date,
    string Commit,
    IReadOnlyList<ApplicationsPoint> Applications,
    IReadOnlyList<ImageSizePoint> ImageSize,
    SeedReference? Reference);

/// <summary>The machine the numbers came from; a chart without it cannot be compared with another.</summary>
public sealed record Machine(int Cores, string Cpu, double MemoryGiB)
{
    public override string ToString() => $"{Cores} cores, {Cpu}, {MemoryGiB:0.#} GiB";
}

/// <summary>Trigger-to-answering samples (seconds) of one side at one point, or why that side has none.</summary>
public sealed record Samples(IReadOnlyList<double> Seconds, string? Failure)
{
    public bool Succeeded => Seconds.Count > 0;

    public double Median
    {
        get
        {
            if (Seconds.Count == 0)
                throw new InvalidOperationException("a point without samples has no median");
            var sorted = Seconds.Order().ToArray();
            var middle = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }
}

public sealed record ApplicationsPoint(int Count, Samples Rad, Samples Script);

public sealed record ImageSizePoint(double Megabytes, Samples Rad, Samples Script);

/// <summary>A published figure of the system RAD descends from, drawn as a reference, never measured here.</summary>
public sealed record SeedReference(string Label, double Megabytes, double Seconds);
