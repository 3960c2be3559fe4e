using System.Globalization;
using System.Text.Json;

namespace Rad.BenchPlots;

/// <summary>
/// Reads growth.json and reports every problem at once, each with its JSON path, so a hand-edited or truncated file
/// is fixed in one pass instead of failing deep inside the chart code.
/// </summary>
public static class GrowthMeasurementsReader
{
    const string HowToWrite = "scripts/bench-growth OUT_DIR writes it as OUT_DIR/growth.json";
    static readonly string[] RootFields = ["date", "commit", "machine", "runs", "applications", "imageSize", "reference"];
    static readonly string[] MachineFields = ["cores", "cpu", "memoryGiB"];
    static readonly string[] ApplicationsFields = ["count", "rad", "script"];
    static readonly string[] ImageSizeFields = ["megabytes", "rad", "script"];
    static readonly string[] SamplesFields = ["seconds", "failure"];
    static readonly string[] ReferenceFields = ["label", "megabytes", "seconds"];

    public static GrowthMeasurements ReadFile(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new GrowthInputException($"no measurements at {Path.GetFullPath(path)}: the file does not exist; {HowToWrite}, or pass the path of one");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GrowthInputException($"cannot read the measurements at {Path.GetFullPath(path)}: {e.Message}");
        }
        var (measurements, errors) = Parse(json);
        if (measurements is null)
            throw new GrowthInputException($"{Path.GetFullPath(path)} is not a valid growth.json: {string.Join("; ", errors)} ({HowToWrite})");
        return measurements;
    }

    public static (GrowthMeasurements? Measurements, IReadOnlyList<string> Errors) Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            return (null, [$"it is not valid JSON: {e.Message}"]);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return (null, [$"it must be a JSON object with \"machine\", \"date\", \"commit\", \"applications\" and \"imageSize\", found {Describe(root)}"]);
            var errors = new List<string>();
            RejectUnknown(root, "", RootFields, errors);
            var date = ReadDate(root, errors);
            var commit = RequiredString(root, "", "commit", errors);
            if (root.TryGetProperty("runs", out var runs) && !(runs.TryGetInt32(out var count) && count >= 1))
                errors.Add($"runs must be a whole number of at least 1, found {Describe(runs)}");
            var machine = ReadMachine(root, errors);
            var applications = ReadPoints(root, "applications", ApplicationsFields, errors, (element, path, rad, script) =>
                ReadNumber(element, path, "count", errors, whole: true) is { } n ? new ApplicationsPoint((int)n, rad, script) : null);
            var sizes = ReadPoints(root, "imageSize", ImageSizeFields, errors, (element, path, rad, script) =>
                ReadNumber(element, path, "megabytes", errors, whole: false) is { } mb ? new ImageSizePoint(mb, rad, script) : null);
            RejectRepeated(applications.Select(p => (double)p.Count), "applications", "count", errors);
            RejectRepeated(sizes.Select(p => p.Megabytes), "imageSize", "megabytes", errors);
            var reference = ReadReference(root, errors);
            return errors.Count == 0 ? (new GrowthMeasurements(machine!, date!.Value, commit!, applications, sizes, reference), errors) : (null, errors);
        }
    }

    static DateTimeOffset? ReadDate(JsonElement root, List<string> errors)
    {
        var text = RequiredString(root, "", "date", errors);
        if (text is null)
            return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var date))
            return date;
        errors.Add($"date must be an ISO 8601 time such as \"2026-11-23T15:58:53Z\", found \"{text}\"");
        return null;
    }

    static Machine? ReadMachine(JsonElement root, List<string> errors)
    {
        if (!root.TryGetProperty("machine", out var machine) || machine.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"machine must be an object {{\"cores\", \"cpu\", \"memoryGiB\"}}, found {(root.TryGetProperty("machine", out var m) ? Describe(m) : "nothing")}");
            return null;
        }
        RejectUnknown(machine, "machine.", MachineFields, errors);
        var cores = ReadNumber(machine, "machine", "cores", errors, whole: true);
        var cpu = RequiredString(machine, "machine.", "cpu", errors);
        var memory = ReadNumber(machine, "machine", "memoryGiB", errors, whole: false);
        return cores is null || cpu is null || memory is null ? null : new Machine((int)cores, cpu, memory.Value);
    }

    /// <summary>Both sides' samples are read even when the point's own value is wrong, so their problems are reported in the same pass.</summary>
    static List<T> ReadPoints<T>(JsonElement root, string name, string[] fields, List<string> errors, Func<JsonElement, string, Samples, Samples, T?> read) where T : class
    {
        var points = new List<T>();
        if (!root.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            errors.Add($"{name} must be a non-empty array of measured points, found {(root.TryGetProperty(name, out var found) ? Describe(found) : "nothing")}");
            return points;
        }
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var path = $"{name}[{index++}]";
            if (element.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{path} must be an object, found {Describe(element)}");
                continue;
            }
            RejectUnknown(element, path + ".", fields, errors);
            var rad = ReadSamples(element, path, "rad", errors);
            var script = ReadSamples(element, path, "script", errors);
            if (read(element, path, rad, script) is { } point)
                points.Add(point);
        }
        return points;
    }

    static Samples ReadSamples(JsonElement point, string pointPath, string side, List<string> errors)
    {
        var path = $"{pointPath}.{side}";
        if (!point.TryGetProperty(side, out var samples) || samples.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path} must be an object {{\"seconds\": [...], \"failure\": null}}, found {(point.TryGetProperty(side, out var found) ? Describe(found) : "nothing")}");
            return new([], null);
        }
        RejectUnknown(samples, path + ".", SamplesFields, errors);
        var seconds = new List<double>();
        if (!samples.TryGetProperty("seconds", out var array) || array.ValueKind != JsonValueKind.Array)
            errors.Add($"{path}.seconds must be an array of seconds (empty when every run failed), found {(samples.TryGetProperty("seconds", out var s) ? Describe(s) : "nothing")}");
        else
        {
            var index = 0;
            foreach (var value in array.EnumerateArray())
            {
                if (value.ValueKind == JsonValueKind.Number && value.GetDouble() > 0)
                    seconds.Add(value.GetDouble());
                else
                    errors.Add($"{path}.seconds[{index}] must be a positive number of seconds, found {Describe(value)}");
                index++;
            }
        }
        string? failure = null;
        if (samples.TryGetProperty("failure", out var reason))
        {
            if (reason.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(reason.GetString()))
                failure = reason.GetString();
            else if (reason.ValueKind != JsonValueKind.Null)
                errors.Add($"{path}.failure must be null or the reason a run failed, found {Describe(reason)}");
        }
        if (seconds.Count == 0 && failure is null && array.ValueKind == JsonValueKind.Array && array.GetArrayLength() == 0)
            errors.Add($"{path} has no sample and no failure: give the measured seconds, or the reason none was measured in \"failure\"");
        return new(seconds, failure);
    }

    static SeedReference? ReadReference(JsonElement root, List<string> errors)
    {
        if (!root.TryGetProperty("reference", out var reference) || reference.ValueKind == JsonValueKind.Null)
            return null;
        if (reference.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"reference must be null or an object {{\"label\", \"megabytes\", \"seconds\"}}, found {Describe(reference)}");
            return null;
        }
        RejectUnknown(reference, "reference.", ReferenceFields, errors);
        var label = RequiredString(reference, "reference.", "label", errors);
        var megabytes = ReadNumber(reference, "reference", "megabytes", errors, whole: false);
        var seconds = ReadNumber(reference, "reference", "seconds", errors, whole: false);
        return label is null || megabytes is null || seconds is null ? null : new SeedReference(label, megabytes.Value, seconds.Value);
    }

    static double? ReadNumber(JsonElement element, string path, string name, List<string> errors, bool whole)
    {
        if (element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.GetDouble() > 0
            && (!whole || value.TryGetInt32(out _)))
            return value.GetDouble();
        errors.Add($"{path}.{name} must be a positive {(whole ? "whole number" : "number")}, found {(element.TryGetProperty(name, out var found) ? Describe(found) : "nothing")}");
        return null;
    }

    static string? RequiredString(JsonElement element, string prefix, string name, List<string> errors)
    {
        if (element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()))
            return value.GetString();
        errors.Add($"{prefix}{name} must be a non-empty string, found {(element.TryGetProperty(name, out var found) ? Describe(found) : "nothing")}");
        return null;
    }

    static void RejectUnknown(JsonElement element, string prefix, string[] known, List<string> errors)
    {
        foreach (var property in element.EnumerateObject().Where(p => !known.Contains(p.Name)))
            errors.Add($"{prefix}{property.Name} is not a known field (known: {string.Join(", ", known)})");
    }

    static void RejectRepeated(IEnumerable<double> values, string name, string field, List<string> errors)
    {
        foreach (var repeated in values.GroupBy(v => v).Where(g => g.Count() > 1))
            errors.Add($"{name} has {repeated.Count()} points with {field} {repeated.Key.ToString(CultureInfo.InvariantCulture)}: put every sample of a point in one \"seconds\" array");
    }

    static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"\"{element.GetString()}\"",
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => element.GetArrayLength() == 0 ? "an empty array" : "an array",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => "null",
    };
}
