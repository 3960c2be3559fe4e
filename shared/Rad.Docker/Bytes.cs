namespace Rad.Docker;

public static class Bytes
{
    /// <summary>A size as a user reads it: "512 B", "3.4 MiB", "2 GiB".</summary>
    public static string Describe(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : $"{value:0.#} {units[unit]}";
    }
}
