using System.Text;
using System.Text.Json.Nodes;

namespace Rad.Docker;

/// <summary>The X-Registry-Auth header the engine wants for push and distribution calls; "{}" when anonymous.</summary>
public static class RegistryAuth
{
    public static Dictionary<string, string> Header(string? username, string? password, string serverAddress)
    {
        var json = new JsonObject();
        if (!string.IsNullOrEmpty(username))
        {
            json["username"] = username;
            json["password"] = password ?? "";
            json["serveraddress"] = serverAddress;
        }
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(json.ToJsonString()))
            .Replace('+', '-').Replace('/', '_');
        return new Dictionary<string, string> { ["X-Registry-Auth"] = encoded };
    }
}
