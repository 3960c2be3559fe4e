using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Rad.Status.Api;

/// <summary>
/// Who may call /api. With RAD_API_TOKEN set, every call needs "Authorization: Bearer &lt;token&gt;". Without it the API
/// must listen on loopback only: asked to listen anywhere else, the service refuses to start.
/// </summary>
public static class ApiAccess
{
    public const string TokenVariable = "RAD_API_TOKEN";

    /// <summary>Why the configured addresses may not be used without a token, or null when they may.</summary>
    public static string? CheckListenAddresses(IConfiguration configuration)
    {
        if (!string.IsNullOrEmpty(configuration[TokenVariable]))
            return null;
        var addresses = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>())
            .ToList();
        var exposed = addresses.Where(a => !IsLoopback(a)).ToList();
        if (!string.IsNullOrEmpty(configuration["http_ports"]) || !string.IsNullOrEmpty(configuration["https_ports"]))
            exposed.Add($"port(s) {configuration["http_ports"]}{configuration["https_ports"]} on every interface (HTTP_PORTS/HTTPS_PORTS)");
        return exposed.Count == 0 ? null :
            $"refusing to listen on {string.Join(", ", exposed)} without an API token: anyone who can reach that address could deploy. " +
            $"Set {TokenVariable} to a long random secret (clients then send \"Authorization: Bearer <token>\"), or listen on 127.0.0.1 only.";
    }

    static bool IsLoopback(string url)
    {
        var host = url.Contains("://") ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        host = host.Split('/')[0];
        host = host.StartsWith('[') ? host[1..host.IndexOf(']')] : host.Split(':')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>Checks the bearer token on every /api request when a token is configured; compares in constant time.</summary>
    public static void UseApiToken(this WebApplication app)
    {
        var token = app.Configuration[TokenVariable];
        if (string.IsNullOrEmpty(token))
            return;
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.Use(async (context, next) =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            var given = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
            if (CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), expected))
            {
                await next(context);
                return;
            }
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"rad\"";
            await Results.Problem(statusCode: 401, title: "Unauthorized",
                detail: header.Length == 0
                    ? $"This RAD API requires a token: send \"Authorization: Bearer <token>\" (the rad CLI reads it from {TokenVariable})."
                    : "The bearer token is not valid for this RAD API.").ExecuteAsync(context);
        }));
    }
}
