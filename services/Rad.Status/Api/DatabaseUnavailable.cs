using Rad.Hosting;

namespace Rad.Status.Api;

/// <summary>
/// While PostgreSQL is away (a restart, a fail-over) every API call that needs it answers 503 with Retry-After, never
/// 202: a deployment is accepted only once its request is stored, so an accepted id always comes to exist.
/// </summary>
public static class DatabaseUnavailable
{
    public const int RetryAfterSeconds = 5;

    public static IApplicationBuilder UseDatabaseUnavailableAnswer(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (OutageRetry.IsTransient(e) && !context.Response.HasStarted)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseUnavailable).FullName!)
                .LogWarning("{Method} {Path} answered 503: the database is unavailable ({ErrorType}: {Error})", context.Request.Method, context.Request.Path.Value, e.GetType().Name, e.Message);
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The status database is unavailable.",
                detail: $"PostgreSQL did not answer ({e.GetType().Name}); nothing was recorded. Try again in {RetryAfterSeconds} s.").ExecuteAsync(context);
        }
    });
}
