using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Configuration;

namespace Rad.Docker;

/// <summary>
/// Engine clients that ask the registry about an image (GET /distribution/NAME/json). The engine takes the registry
/// login in the X-Registry-Auth header, which Docker.DotNet's distribution call does not send, so a login gets a client
/// of its own that carries it; anonymous lookups use the shared client.
/// </summary>
public sealed class RegistryInspector(IDockerClient docker, IConfiguration configuration) : IDisposable
{
    /// <summary>The digest the registry holds for <paramref name="reference"/> (name:tag or name@digest), or why it holds none.</summary>
    public async Task<(string? Digest, string? Problem)> DigestAsync(string reference, AuthConfig auth, CancellationToken token)
    {
        try
        {
            var info = await For(auth).Distribution.InspectAsync(reference, token);
            return (info.Descriptor?.Digest, null);
        }
        catch (DockerApiException e)
        {
            return (null, e.EngineMessage());
        }
    }

    readonly ConcurrentDictionary<string, IDockerClient> _clients = new();

    public IDockerClient For(AuthConfig auth) =>
        string.IsNullOrEmpty(auth.Username)
            ? docker
            : _clients.GetOrAdd($"{auth.ServerAddress}\n{auth.Username}\n{auth.Password}", _ => DockerRegistration.Connect(
                configuration["Rad:Docker:Socket"] ?? DockerRegistration.DefaultSocket,
                new Dictionary<string, string> { ["X-Registry-Auth"] = Encode(auth) }));

    // The engine's encoding: base64url of the JSON login, padding kept.
    static string Encode(AuthConfig auth) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { username = auth.Username, password = auth.Password, serveraddress = auth.ServerAddress })))
            .Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        foreach (var client in _clients.Values)
            client.Dispose();
    }
}
