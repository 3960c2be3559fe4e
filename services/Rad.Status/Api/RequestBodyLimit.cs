using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Rad.Contracts;

namespace Rad.Status.Api;

/// <summary>
/// Refuses a request body that is not JSON (415), and caps every API request body before an endpoint reads it: 64 KiB
/// (a deployment request is a few hundred bytes), 1 MiB for cluster registrations (they carry a kubeconfig). Over the
/// cap the answer is 413 with a problem body saying the limit, whether announced (Content-Length) or found while reading.
/// </summary>
public static class RequestBodyLimit
{
    public const long Default = 64 * 1024;
    public const long Clusters = 1024 * 1024;

    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (HasBody(context.Request) && !IsJson(context.Request.ContentType))
        {
            await Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "The request body must be JSON.",
                detail: $"Content-Type is '{Shown(context.Request.ContentType)}'; send the body as application/json.").ExecuteAsync(context);
            return;
        }
        var limit = context.Request.Path.StartsWithSegments("/api/clusters") ? Clusters : Default;
        if (context.Request.ContentLength > limit)
        {
            await TooLargeAsync(context, limit, $"{context.Request.ContentLength} bytes were announced");
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = limit;
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            await TooLargeAsync(context, limit, "more was sent");
        }
    });

    static bool HasBody(HttpRequest request) =>
        (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method))
        && (request.ContentLength > 0 || request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType.Value is { } type
        && (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    static string Shown(string? contentType) => contentType is null ? "(none)" : Excerpt.Of(contentType, 100);

    static Task TooLargeAsync(HttpContext context, long limit, string seen) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.",
                detail: $"The limit for {context.Request.Path} is {limit / 1024} KiB and {seen}. Send a smaller body.")
            .ExecuteAsync(context);
}
