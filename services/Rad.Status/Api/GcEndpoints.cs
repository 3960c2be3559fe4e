using MassTransit;
using Microsoft.Extensions.Options;
using Rad.Status.Collection;

namespace Rad.Status.Api;

/// <summary>
/// POST /api/gc[?dryRun=true]: image collection now. The answer lists each image removed (or, dry, that would be) with
/// its size, those that could not go and why, and how many stay for kept revisions or for being too new to judge.
/// </summary>
public static class GcEndpoints
{
    public static void MapGcEndpoints(this WebApplication app) =>
        app.MapPost("/api/gc", async (bool? dryRun, ImageCollector collector, IOptions<ImageCollectionOptions> options, CancellationToken token) =>
        {
            try
            {
                var result = await collector.RunAsync(dryRun == true, token);
                return Results.Ok(new
                {
                    result.DryRun,
                    options.Value.KeepRevisions,
                    MinimumAge = options.Value.MinimumAge.ToString(),
                    result.Bytes,
                    result.Kept,
                    result.TooYoung,
                    result.Removed,
                    result.Refused,
                    result.RegistryRemoved,
                    result.RegistryRefused,
                });
            }
            catch (RequestTimeoutException)
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The builder did not answer.",
                    detail: "Image collection runs in the builder, which did not answer within 15 minutes (removing 1,764 images took 3 minutes here); check that it runs (scripts/up) and try again.");
            }
        });
}
