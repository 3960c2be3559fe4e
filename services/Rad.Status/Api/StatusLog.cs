using System.Globalization;
using System.Text;
using Rad.Contracts;
using Rad.Status.Saga;

namespace Rad.Status.Api;

/// <summary>The status log in the original RAD format: "[Sat May 30 00:06:43 2020]: [IN PROGRESS]: clone user git repository".</summary>
public static class StatusLog
{
    public static string Format(IEnumerable<StageEvent> events, DateTimeOffset startedAt, DateTimeOffset? completedAt)
    {
        var log = new StringBuilder();
        foreach (var e in events)
        {
            var line = e.State switch
            {
                StageStates.InProgress => $"[{AscTime(e.At)}]: [IN PROGRESS]: {e.Stage}",
                StageStates.Completed => $"[{AscTime(e.At)}]: [COMPLETED]: {e.Stage}",
                StageStates.Failed => $"[{AscTime(e.At)}]: [FAILED]: {e.Stage} : {e.Message}",
                StageStates.Cancelled => $"[{AscTime(e.At)}]: [CANCELLED]: {e.Stage} : {e.Message}",
                _ => $"[{AscTime(e.At)}]: [{e.State.ToUpperInvariant()}]: {e.Stage}",
            };
            log.Append(line).Append('\n');
        }
        if (completedAt is { } end)
        {
            log.Append("start time: ").Append(AscTime(startedAt)).Append('\n');
            log.Append("time taken: ").Append((end - startedAt).TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture)).Append(" seconds\n");
        }
        return log.ToString();
    }

    /// <summary>C's asctime layout (day of month padded with a space), as the original RAD printed, in UTC.</summary>
    public static string AscTime(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{utc:ddd MMM} {utc.Day,2} {utc:HH:mm:ss yyyy}");
    }
}
