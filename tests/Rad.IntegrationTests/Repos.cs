namespace Rad.IntegrationTests;

/// <summary>Repository contents the tests deploy: small busybox web servers, each saying who it is.</summary>
public static class Repos
{
    public static Dictionary<string, string> WebApp(string name, int port, int replicas = 1, string extraDockerLines = "", string? greeting = null,
        string registry = DefaultRegistry) => new()
    {
        ["rad.json"] = RadJsonFor(registry, (name, "Dockerfile", replicas, port)),
        ["Dockerfile"] = $"""
            FROM rad/busybox:local
            COPY www /www
            {extraDockerLines}
            CMD ["sh", "-c", "hostname > /www/replica.txt && exec httpd -f -p {port} -h /www"]
            """,
        ["www/index.html"] = greeting ?? $"Hello from {name}",
    };

    const string DefaultRegistry = "127.0.0.1:5000/it";

    public static string RadJson(params (string Name, string Dockerfile, int Replicas, int Port)[] apps) => RadJsonFor(DefaultRegistry, apps);

    public static string RadJsonFor(string registry, params (string Name, string Dockerfile, int Replicas, int Port)[] apps) =>
        $$"""
        {
          "applications": [
            {{string.Join(",\n    ", apps.Select(a => $$"""{ "application_name": "{{a.Name}}", "dockerfile": "{{a.Dockerfile}}", "replica_count": {{a.Replicas}}, "port": {{a.Port}} }"""))}}
          ],
          "registry": { "address": "{{registry}}" }
        }
        """;
}
