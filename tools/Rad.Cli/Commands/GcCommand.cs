using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Rad.Contracts;
using static Rad.Cli.Commands.CommandRunner;

namespace Rad.Cli.Commands;

/// <summary>rad gc [--dry-run]: remove the images of revisions no longer kept for rollback (the last N per application, and pins, stay).</summary>
public static class GcCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "only list what would be removed" };
        var gc = new Command("gc", "Remove the engine images of revisions no longer kept for rollback") { dryRun };
        gc.SetAction((result, token) => RunAsync(result, async client =>
        {
            var dry = result.GetValue(dryRun);
            var raw = await client.CallAsync(HttpMethod.Post, dry ? "api/gc?dryRun=true" : "api/gc", null, token);
            if (Mode(result) == OutputMode.Json)
            {
                Console.Out.WriteLine(raw);
                return ExitCodes.Succeeded;
            }
            var answer = JsonSerializer.Deserialize<GcAnswer>(raw, RadClient.Json)!;
            foreach (var image in answer.Removed)
                Console.Out.WriteLine($"{(dry ? "would remove" : "removed")} {Size(image.Size),9}  {string.Join(", ", image.References)}");
            foreach (var image in answer.Refused)
                Console.Out.WriteLine($"kept         {Size(image.Size),9}  {string.Join(", ", image.References)}: {image.Reason}");
            foreach (var image in answer.RegistryRemoved)
                Console.Out.WriteLine($"{(dry ? "would delete" : "deleted")}  registry  {image.Id}");
            foreach (var image in answer.RegistryRefused)
                Console.Out.WriteLine($"kept          registry  {image.Id}: {image.Reason}");
            Console.Out.WriteLine($"{(dry ? "would remove" : "removed")} {answer.Removed.Count} images (up to {Size(answer.Bytes)}: layers they share with images that stay are not freed); " +
                                  $"{answer.Kept} kept for the last {answer.KeepRevisions} revisions of each application and pins, " +
                                  $"{answer.TooYoung} younger than {answer.MinimumAge}, {answer.Refused.Count} could not go; " +
                                  $"{(dry ? "would delete" : "deleted")} {answer.RegistryRemoved.Count} manifests from registries, {answer.RegistryRefused.Count} could not go");
            return ExitCodes.Succeeded;
        }, token));
        return gc;
    }

    static string Size(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.0} MB");

    sealed record GcAnswer(bool DryRun, int KeepRevisions, string MinimumAge, long Bytes, int Kept, int TooYoung, List<PrunedImage> Removed, List<PrunedImage> Refused,
        List<PrunedImage> RegistryRemoved, List<PrunedImage> RegistryRefused);
}
