using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Docker;

namespace Rad.Builder;

/// <summary>
/// Deletes manifests from a registry through its HTTP API (DELETE /v2/NAME/manifests/DIGEST), with RAD's login for that
/// registry as basic authentication. A loopback registry is spoken to over http, as the engine does; any other over https.
/// The registry frees the layers only when its own garbage collection runs (scripts/up runs it before starting RAD's).
/// </summary>
public sealed class RegistryManifests(HttpClient http, IOptions<RegistryCredentials> credentials)
{
    /// <summary>Deletes <paramref name="image"/> (registry/name@digest); null when gone (or already gone), else why not.</summary>
    public async Task<string?> DeleteAsync(string image, CancellationToken token)
    {
        var at = image.IndexOf('@');
        var slash = image.IndexOf('/');
        if (at < 0 || slash < 0 || !(image[..slash].Contains('.') || image[..slash].Contains(':') || image[..slash] == "localhost"))
            return "not a registry/name@digest reference, so RAD does not know which registry holds it";
        var host = image[..slash];
        var scheme = IsLoopback(host) ? "http" : "https";
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{scheme}://{host}/v2/{image[(slash + 1)..at]}/manifests/{image[(at + 1)..]}");
        if (credentials.Value.Push(ImageReference.RepositoryOf(image)) is { } login)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{login.Username}:{login.Password}")));
        try
        {
            using var response = await http.SendAsync(request, token);
            return response.StatusCode switch
            {
                HttpStatusCode.Accepted or HttpStatusCode.OK or HttpStatusCode.NotFound => null,
                HttpStatusCode.MethodNotAllowed => $"{host} does not allow deletes (a registry's storage.delete.enabled must be true)",
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $"{host} refused to delete with RAD's login for it ({(int)response.StatusCode})",
                var other => $"{host} answered {(int)other} to the delete",
            };
        }
        catch (HttpRequestException e)
        {
            return $"{host} could not be reached: {e.Message}";
        }
    }

    static bool IsLoopback(string host)
    {
        var name = host.StartsWith('[') ? host[1..host.IndexOf(']')] : host.Split(':')[0];
        return name == "localhost" || IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address);
    }
}
