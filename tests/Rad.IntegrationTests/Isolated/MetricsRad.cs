using System.Net.Http.Headers;
using Npgsql;
using Xunit;

namespace Rad.IntegrationTests.Isolated;

/// <summary>
/// The test's own RAD with an API token, plus the webhook service (which a deployment does not need, so IsolatedRad
/// does not start it) with a webhook secret: every RAD service, each answering /metrics.
/// </summary>
public sealed class MetricsRad : IAsyncLifetime
{
    public TokenRad Rad { get; } = new();
    RecordedProcess? _webhooks;
    readonly DirectoryInfo _logs = Directory.CreateTempSubdirectory("rad-metrics-");

    public string WebhookSecret { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Every RAD service's HTTP port by name: the six of IsolatedRad and webhooks.</summary>
    public IReadOnlyDictionary<string, int> ServicePorts { get; private set; } = new Dictionary<string, int>();

    /// <summary>Secrets this RAD runs with, none of which may appear on any /metrics.</summary>
    public IReadOnlyList<string> Secrets => [TokenRad.Token, WebhookSecret, Rad.Rabbit.Password, new NpgsqlConnectionStringBuilder(Rad.Postgres.ConnectionString).Password!];

    public async Task InitializeAsync()
    {
        await Rad.InitializeAsync();
        // From here on every call of the status API carries the token (the registry and the services' health came first).
        Rad.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenRad.Token);
        var port = OwnedContainers.FreePort();
        var bin = Path.Combine(Stack.FindRoot(), "services", "Rad.Webhooks", "bin", "Release", "net10.0");
        _webhooks = RecordedProcess.Start("webhooks", Path.Combine(_logs.FullName, "webhooks.log"), bin, new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Rad__RabbitMq__Host"] = "127.0.0.1",
            ["Rad__RabbitMq__Port"] = Rad.Rabbit.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Rad__RabbitMq__Username"] = OwnedContainers.User,
            ["Rad__RabbitMq__Password"] = Rad.Rabbit.Password,
            ["RAD_WEBHOOK_SECRET"] = WebhookSecret,
        }, "dotnet", Path.Combine(bin, "Rad.Webhooks.dll"), "--urls", $"http://127.0.0.1:{port}");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await Rad.Http.GetAsync($"http://127.0.0.1:{port}/healthz")).IsSuccessStatusCode)
                    break;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (_webhooks.HasExited || watch.Elapsed > TimeSpan.FromSeconds(60))
                throw new InvalidOperationException($"the webhook service did not come up:\n{_webhooks.Tail()}");
            await Task.Delay(200);
        }
        ServicePorts = new Dictionary<string, int>(Rad.ServicePorts) { ["webhooks"] = port };
    }

    public string Tails() => Rad.Tails() + "\n" + _webhooks?.Tail();

    public async Task DisposeAsync()
    {
        if (_webhooks is not null)
            await _webhooks.DisposeAsync();
        await Rad.DisposeAsync();
        _logs.Delete(recursive: true);
    }

    /// <summary>IsolatedRad whose status service requires an API token.</summary>
    public sealed class TokenRad : IsolatedRad
    {
        public static readonly string Token = "metrics-" + Guid.NewGuid().ToString("N");

        protected override void Configure(IDictionary<string, string> environment) => environment["RAD_API_TOKEN"] = Token;
    }
}
