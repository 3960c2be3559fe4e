using System.Globalization;
using Rad.Contracts;
using Spectre.Console;

namespace Rad.Cli;

/// <summary>
/// Follows a deployment to its end over the live event stream, like `kubectl rollout status`: a live table of stages with
/// their elapsed times on a terminal, one plain line per stage change when the output is redirected, nothing but the
/// final JSON with --output json. Ends with the endpoints; exit code 0 when it succeeded, 1 when not.
/// </summary>
public sealed class Follower(RadClient client, OutputMode mode)
{
    const int MaxReconnects = 5;
    readonly Dictionary<string, StageLine> _stages = [];
    DateTimeOffset? _endedAt;

    public async Task<int> FollowAsync(Guid id, CancellationToken token)
    {
        var start = (await client.GetWhenKnownAsync(id, TimeSpan.FromSeconds(15), token)).CreatedAt;
        if (mode == OutputMode.Terminal)
            await AnsiConsole.Live(Table(start)).AutoClear(false).StartAsync(async live =>
                await StreamAsync(id, start, () => { live.UpdateTarget(Table(start)); live.Refresh(); }, token));
        else
            await StreamAsync(id, start, () => { }, token);

        var (view, raw) = await client.GetAsync(id, token);
        if (mode == OutputMode.Json)
            Console.Out.WriteLine(raw);
        else
            Render.Outcome(view);
        return view.State == DeploymentStates.Succeeded ? ExitCodes.Succeeded : ExitCodes.DeploymentFailed;
    }

    /// <summary>
    /// Reads the stream to its end event, resuming after the last event seen (Last-Event-ID) if the connection drops or
    /// the stream closes without one (a restarted status service). Only reconnects that brought nothing new count
    /// against the limit, so a long deployment survives any number of restarts that it outlives.
    /// </summary>
    async Task StreamAsync(Guid id, DateTimeOffset start, Action refresh, CancellationToken token)
    {
        long last = 0;
        for (var attempt = 0; ; attempt++)
        {
            var before = last;
            try
            {
                await using var events = client.EventsAsync(id, last, token).GetAsyncEnumerator(token);
                var next = events.MoveNextAsync().AsTask();
                while (true)
                {
                    // While nothing happens, the terminal view still ticks the elapsed time of open stages.
                    if (await Task.WhenAny(next, Task.Delay(250, token)) != next)
                    {
                        refresh();
                        continue;
                    }
                    if (!await next)
                        break;
                    var e = events.Current;
                    if (e.Type == "end")
                    {
                        _endedAt = _stages.Values.Select(s => s.CompletedAt ?? s.StartedAt).DefaultIfEmpty(start).Max();
                        refresh();
                        return;
                    }
                    last = e.Sequence ?? last;
                    Apply(e, start);
                    refresh();
                    next = events.MoveNextAsync().AsTask();
                }
            }
            catch (IOException) when (attempt < MaxReconnects || last > before)
            {
            }
            catch (HttpRequestException) when (attempt < MaxReconnects || last > before)
            {
            }
            if (last > before)
                attempt = 0;
            else if (attempt >= MaxReconnects)
                throw new CliException($"the event stream of deployment {id} kept closing before the deployment ended; see `rad status {id}`");
            await Task.Delay(500, token);
        }
    }

    void Apply(StreamEvent e, DateTimeOffset start)
    {
        var stage = e.Stage!;
        if (!_stages.TryGetValue(stage, out var line) || e.State == StageStates.InProgress)
            _stages[stage] = line = new StageLine(stage, e.Time!.Value);
        line.State = e.State!;
        line.Message = e.Message;
        if (e.State != StageStates.InProgress)
            line.CompletedAt = e.Time;
        if (mode == OutputMode.Plain)
        {
            var took = line.CompletedAt is { } done ? $" ({Render.Seconds(done - line.StartedAt)})" : "";
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Render.Seconds(e.Time!.Value - start),8}  {Render.StateWord(e.State!),-11}  {stage}{took}{(e.Message is null ? "" : $": {e.Message}")}"));
        }
    }

    Table Table(DateTimeOffset start)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumn("STAGE").AddColumn("STATE").AddColumn(new TableColumn("ELAPSED").RightAligned()).AddColumn("DETAIL");
        foreach (var line in _stages.Values)
        {
            var elapsed = (line.CompletedAt ?? DateTimeOffset.UtcNow) - line.StartedAt;
            var color = line.State switch { StageStates.Completed => "green", StageStates.Failed => "red", StageStates.Cancelled => "grey", _ => "yellow" };
            table.AddRow(Markup.Escape(line.Name), $"[{color}]{Render.StateWord(line.State)}[/]", Render.Seconds(elapsed),
                Markup.Escape(Render.Shorten(line.Message ?? "", 70)));
        }
        table.Caption($"elapsed {Render.Seconds((_endedAt ?? DateTimeOffset.UtcNow) - start)}");
        return table;
    }

    sealed class StageLine(string name, DateTimeOffset startedAt)
    {
        public string Name { get; } = name;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public DateTimeOffset? CompletedAt { get; set; }
        public string State { get; set; } = StageStates.InProgress;
        public string? Message { get; set; }
    }
}

public enum OutputMode
{
    Terminal,
    Plain,
    Json,
}
