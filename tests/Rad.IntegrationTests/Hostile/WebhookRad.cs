using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Rad.IntegrationTests.Isolated;
using Xunit;

namespace Rad.IntegrationTests.Hostile;

/// <summary>A RAD of the test's own with its webhook service too (run from this checkout's Release build), signed with <see cref="Secret"/>.</summary>
public sealed class WebhookRad : IAsyncLifetime
{
    public const string Secret = "hostile-webhook-secret";

    readonly DirectoryInfo _logs = Directory.CreateTempSubdirectory("rad-tc-webhooks-");
    RecordedProcess? _webhooks;

    public IsolatedRad Rad { get; } = new();
    public HttpClient Http => Rad.Http;
    public Uri Webhooks { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Rad.InitializeAsync();
        var port = OwnedContainers.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Rad__RabbitMq__Host"] = "127.0.0.1",
            ["Rad__RabbitMq__Port"] = Rad.Rabbit.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Rad__RabbitMq__Username"] = OwnedContainers.User,
            ["Rad__RabbitMq__Password"] = Rad.Rabbit.Password,
            ["RAD_WEBHOOK_SECRET"] = Secret,
        };
        var bin = Path.Combine(Stack.FindRoot(), "services", "Rad.Webhooks", "bin", "Release", "net10.0");
        _webhooks = RecordedProcess.Start("webhooks", Path.Combine(_logs.FullName, "webhooks.log"), bin, environment,
            "dotnet", Path.Combine(bin, "Rad.Webhooks.dll"), "--urls", $"http://127.0.0.1:{port}");
        Webhooks = new Uri($"http://127.0.0.1:{port}");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if ((await Http.GetAsync(new Uri(Webhooks, "/healthz"))).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException) when (attempt < 300 && !_webhooks.HasExited)
            {
            }
            if (attempt >= 300 || _webhooks.HasExited)
                throw new InvalidOperationException($"the webhook service did not start\n{_webhooks.Tail()}");
            await Task.Delay(200);
        }
    }

    public string WebhookLog => _webhooks is null ? "" : File.ReadAllText(_webhooks.Log);

    public async Task DisposeAsync()
    {
        if (_webhooks is not null)
        {
            await _webhooks.DisposeAsync();
            // Kept for a look after a failure, beside IsolatedRad's own logs.
            var kept = Path.Combine(Environment.GetEnvironmentVariable("RAD_STATE") ?? Path.Combine(Stack.FindRoot(), ".rad"), "logs");
            Directory.CreateDirectory(kept);
            File.Copy(_webhooks.Log, Path.Combine(kept, "hostile-webhooks.log"), overwrite: true);
        }
        await Rad.DisposeAsync();
        _logs.Delete(recursive: true);
    }

    /// <summary>A GitHub push as GitHub sends it, signed with this RAD's secret.</summary>
    public async Task<HttpResponseMessage> PushAsync(string cloneUrl, string commit, string delivery, string query = "", bool forced = false)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            @ref = "refs/heads/main",
            before = new string('1', 40),
            after = commit,
            forced,
            repository = new { full_name = "org/app", clone_url = cloneUrl, default_branch = "main" },
            pusher = new { name = "octocat" },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Webhooks, $"/webhooks/github{query}")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-GitHub-Delivery", delivery);
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body)));
        return await Http.SendAsync(request);
    }
}
