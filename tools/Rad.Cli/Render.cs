using System.Globalization;
using Rad.Contracts;

namespace Rad.Cli;

/// <summary>How deployments read as text.</summary>
public static class Render
{
    public static string Seconds(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, span.TotalSeconds):0.0}s");

    public static string StateWord(string state) => state switch
    {
        StageStates.InProgress => "IN PROGRESS",
        _ => state.ToUpperInvariant(),
    };

    public static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>The closing lines of a followed deployment: where it runs, or why it did not (on stderr).</summary>
    public static void Outcome(DeploymentView view)
    {
        var took = view.CompletedAt is { } end ? $" in {Seconds(end - view.CreatedAt)}" : "";
        if (view.State == DeploymentStates.Succeeded)
        {
            Console.Out.WriteLine($"deployment {view.Id} succeeded{took} (commit {view.Commit})");
            foreach (var app in view.Applications)
                Console.Out.WriteLine(app.Note is null ? $"  {app.Name,-24} {app.Endpoint,-28} {app.RunningReplicas}/{app.Replicas} running" : $"  {app.Name,-24} {app.Note}");
            return;
        }
        Console.Error.WriteLine($"deployment {view.Id} {view.State.ToLowerInvariant()}{took}: {view.Error}");
    }

    public static void Status(DeploymentView view)
    {
        var o = Console.Out;
        o.WriteLine($"deployment  {view.Id}");
        o.WriteLine($"state       {view.State}{(view.Error is null ? "" : $": {view.Error}")}");
        o.WriteLine($"repository  {view.Repository} at {view.Ref}{(view.Commit is null ? "" : $" (commit {view.Commit})")}");
        o.WriteLine($"cluster     {view.Cluster}");
        if (view.Trigger is not null)
            o.WriteLine($"started by  {view.Trigger}{(view.Force ? " (--force)" : "")}");
        o.WriteLine($"started     {view.CreatedAt:u}{(view.CompletedAt is { } end ? $", took {Seconds(end - view.CreatedAt)}" : "")}");
        if (view.Stages.Count > 0)
        {
            o.WriteLine();
            foreach (var stage in view.Stages)
            {
                var elapsed = (stage.CompletedAt ?? DateTimeOffset.UtcNow) - stage.StartedAt;
                o.WriteLine($"  {StateWord(stage.State),-11}  {Seconds(elapsed),7}  {stage.Name}{(stage.Message is null ? "" : $": {stage.Message}")}");
            }
        }
        if (view.Applications.Count > 0)
        {
            o.WriteLine();
            foreach (var app in view.Applications)
                o.WriteLine($"  {app.Name,-24} {app.Endpoint ?? "-",-28} {app.RunningReplicas}/{app.Replicas} running{(app.Note is null ? "" : $"  ({app.Note})")}");
        }
    }

    public static void List(IReadOnlyList<DeploymentView> views)
    {
        Console.Out.WriteLine($"{"ID",-36}  {"STATE",-10}  {"STARTED",-20}  {"TOOK",7}  {"REF",-12}  REPOSITORY");
        foreach (var v in views)
        {
            var took = v.CompletedAt is { } end ? Seconds(end - v.CreatedAt) : "-";
            Console.Out.WriteLine($"{v.Id,-36}  {v.State,-10}  {v.CreatedAt.UtcDateTime,-20:yyyy-MM-dd HH:mm:ss}  {took,7}  {Shorten(v.Commit?[..12] ?? v.Ref, 12),-12}  {v.Repository}");
        }
    }
}
