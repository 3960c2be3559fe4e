using System.Text.Json;

namespace Rad.Status.Api;

/// <summary>The JSON body of an API request, or why it is not JSON: one wording for every endpoint that reads a body.</summary>
public static class RequestJson
{
    /// <summary>The body's root (a copy: the parsed document is released), or the problem to report under "body", ending with an example to send.</summary>
    public static async Task<(JsonElement Root, string? Error)> ReadAsync(HttpRequest request, string example, CancellationToken token)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: token);
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException e)
        {
            return (default, $"The request body is not valid JSON: {e.Message}. Send {example}.");
        }
    }
}
