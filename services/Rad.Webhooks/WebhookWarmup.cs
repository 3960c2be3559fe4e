using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Hosting.Server;
using Rad.Contracts;
using Rad.Hosting;

namespace Rad.Webhooks;

/// <summary>
/// Once the service listens, and before it reports healthy: one push check through the bus (the request client's reply
/// queue, the status service's query) for a repository nobody deploys, and two hooks to itself: an unsigned one (answered 401) and, with a secret, a signed branch deletion (nothing to deploy).
/// Cold, the first hook here took 3-5 s on a busy 2-core machine; a git host's hook, or a refusal, should take
/// milliseconds. Bounded; deploys and records nothing.
/// </summary>
public sealed class WebhookWarmup(IServiceScopeFactory scopes, IServer server, IConfiguration configuration, IHostApplicationLifetime lifetime,
    ILogger<WebhookWarmup> logger)
    : ListeningWarmup(server, lifetime, Limit)
{
    static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    static async Task PostAsync(HttpClient http, byte[] body, string? signature, CancellationToken token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/github?cluster=local") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-GitHub-Event", "push");
        if (signature is not null)
            request.Headers.Add("X-Hub-Signature-256", signature);
        using var _ = await http.SendAsync(request, token);
    }

    protected override async Task WarmAsync(Uri? address, CancellationToken limit, CancellationToken stoppingToken)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            using (var scope = scopes.CreateScope())
            {
                var checks = scope.ServiceProvider.GetRequiredService<IRequestClient<CheckWebhookPush>>();
                await checks.GetResponse<WebhookPushChecked>(new CheckWebhookPush("warmup", null, "rad-warmup://nowhere/none", LocalCluster.Name, new string('0', 40), false),
                    limit, RequestTimeout.After(s: (int)Limit.TotalSeconds));
            }
            if (address is not null)
            {
                using var http = new HttpClient { BaseAddress = address };
                await PostAsync(http, "{}"u8.ToArray(), signature: null, limit);
                // A signed push that deletes a branch: read, verified, its target resolved, and answered "nothing to deploy".
                if (configuration[WebhookOptions.SecretVariable] is { Length: > 0 } secret)
                {
                    var deletion = JsonSerializer.SerializeToUtf8Bytes(new
                    {
                        @ref = "refs/heads/rad-warmup", before = new string('0', 40), after = new string('0', 40),
                        repository = new { clone_url = "https://rad-warmup.invalid/none.git", default_branch = "main" },
                    });
                    await PostAsync(http, deletion, "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), deletion)), limit);
                }
            }
            logger.LogInformation("Webhook paths warmed up in {ElapsedMs:0} ms", watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is RequestTimeoutException or RequestFaultException or HttpRequestException or OperationCanceledException && !stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("Webhook warm-up ended early after {ElapsedMs:0} ms ({Reason})", watch.Elapsed.TotalMilliseconds, e.Message);
        }
    }
}
