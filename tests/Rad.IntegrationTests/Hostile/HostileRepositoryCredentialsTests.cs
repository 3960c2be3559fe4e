using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using RabbitMQ.Client;
using Rad.Contracts;
using Rad.IntegrationTests.Cloner;
using Rad.IntegrationTests.Isolated;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Issue 12, item 17: a token in a repository URL (https://user:TOKEN@host/...) was stored raw in deployments.data and
/// deployment_requests and sent in every message. Now the address is stored and sent without it, the token travels
/// sealed (Data Protection, RAD's key ring) and only the cloner puts it back, in memory, for git's credential callbacks.
/// A whole deployment on a RAD of the test's own, from git's http-backend over https that requires the token
/// (<see cref="GitServer"/>): while it runs every process's command line is sampled, and after it the database
/// (pg_dump), every message RAD sent (a queue of the test's own bound to each message type's exchange), every queue
/// still holding messages, the services' logs and the API's answers are searched for the token: it is nowhere.
/// </summary>
public sealed class HostileRepositoryCredentialsTests(HostileRepositoryCredentialsTests.CredentialRad fixture, ITestOutputHelper output)
    : IClassFixture<HostileRepositoryCredentialsTests.CredentialRad>
{
    IsolatedRad Rad => fixture.Rad;

    [Fact]
    public async Task A_token_in_a_repository_url_is_in_no_command_line_database_row_message_queue_or_log()
    {
        var name = $"cred-{Guid.NewGuid():N}"[..14];
        var port = IsolatedRad.FreeApplicationPort();
        Rad.RemoveAtEnd(name);
        await fixture.PublishAsync(name, Repos.WebApp(name, port, registry: Rad.Registry));
        var url = fixture.Git.HttpsUrl(name, $"{GitServer.User}:{GitServer.Token}");
        await using var spy = await MessageSpy.StartAsync(Rad.Rabbit);

        using var sampling = new CancellationTokenSource();
        var (commandLines, samples) = (new ConcurrentBag<string>(), new int[1]);
        var sampler = Task.Run(() => SampleCommandLines(commandLines, samples, sampling.Token));
        using var response = await Rad.Http.PostAsJsonAsync(new Uri(Rad.Api, "/api/deployments"), new { repository = url, @ref = "main" });
        var accepted = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = System.Text.Json.JsonDocument.Parse(accepted).RootElement.GetProperty("id").GetGuid();
        var end = await Rad.WaitForEndAsync(id, TimeSpan.FromMinutes(4));
        await sampling.CancelAsync();
        await sampler;
        output.WriteLine($"deployment {id}: {end.State}; {samples[0]} samples of every process's command line");

        // The server requires the token, so a success means RAD used it.
        Assert.True(end.State == "Succeeded", $"{end.State}: {end.Error}\n{await Rad.LogAsync(id)}");
        Assert.True(samples[0] > 10, $"only {samples[0]} samples of the command lines");
        Assert.Empty(commandLines);
        Assert.DoesNotContain(GitServer.Token, accepted + await Rad.Http.GetStringAsync(new Uri(Rad.Api, $"/api/deployments/{id}")) + await Rad.LogAsync(id));

        var dump = await DumpAsync();
        Assert.Contains(id.ToString(), dump);
        Assert.DoesNotContain(GitServer.Token, dump);

        var messages = await spy.DrainAsync();
        output.WriteLine($"{messages.Count} messages seen on the bus");
        // The clone command carries the token sealed.
        Assert.Contains(messages, m => m.Contains("\"credentials\": \"rad-sealed:v1:", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Contains(GitServer.Token));

        var waiting = await WaitingMessagesAsync();
        output.WriteLine($"{waiting.Count} messages waiting in RAD's queues");
        Assert.DoesNotContain(waiting, m => m.Contains(GitServer.Token));

        foreach (var service in (string[])["status", "cloner", "builder", "cluster-provisioner", "deployer", "edge"])
            Assert.False(Rad.ProcessLog(service).Contains(GitServer.Token), $"the {service} log holds the token");
    }

    /// <summary>Every process's command line (what `ps` shows to every user), as often as possible until cancelled.</summary>
    static void SampleCommandLines(ConcurrentBag<string> found, int[] samples, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            foreach (var process in Directory.EnumerateDirectories("/proc").Where(d => char.IsDigit(Path.GetFileName(d)[0])))
            {
                try
                {
                    var line = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(process, "cmdline"))).Replace('\0', ' ');
                    if (line.Contains(GitServer.Token))
                        found.Add(line);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The process ended meanwhile.
                }
            }
            samples[0]++;
        }
    }

    async Task<string> DumpAsync()
    {
        var connection = new NpgsqlConnectionStringBuilder(Rad.Postgres.ConnectionString);
        var start = new ProcessStartInfo("pg_dump") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-h", connection.Host!, "-p", connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", connection.Username!, connection.Database!])
            start.ArgumentList.Add(argument);
        start.Environment["PGPASSWORD"] = connection.Password;
        using var process = Process.Start(start)!;
        var (stdout, stderr) = (process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, $"pg_dump exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    /// <summary>The bodies of every message still in one of the broker's queues (error queues included), left where they are.</summary>
    async Task<List<string>> WaitingMessagesAsync()
    {
        var listing = await Rad.Rabbit.Container.ExecAsync(["rabbitmqctl", "list_queues", "-q", "--no-table-headers", "name", "messages"]);
        var queues = listing.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t', ' '))
            .Where(p => p.Length >= 2 && int.TryParse(p[^1], out var n) && n > 0).Select(p => p[0]).ToList();
        await using var connection = await MessageSpy.ConnectAsync(Rad.Rabbit);
        await using var channel = await connection.CreateChannelAsync();
        var bodies = new List<string>();
        foreach (var queue in queues)
            for (var i = 0; i < 1000 && await channel.BasicGetAsync(queue, autoAck: false) is { } message; i++)
                bodies.Add(Encoding.UTF8.GetString(message.Body.Span));
        // Closing the channel without acknowledging puts them all back.
        return bodies;
    }

    /// <summary>A queue of the test's own bound to the exchange of every RAD message type: a copy of each message sent.</summary>
    sealed class MessageSpy(IConnection connection, IChannel channel, string queue) : IAsyncDisposable
    {
        public static Task<IConnection> ConnectAsync(OwnedRabbitMq rabbit) => new ConnectionFactory
        {
            HostName = "127.0.0.1", Port = rabbit.Port, UserName = OwnedContainers.User, Password = rabbit.Password,
        }.CreateConnectionAsync();

        public static async Task<MessageSpy> StartAsync(OwnedRabbitMq rabbit)
        {
            var connection = await ConnectAsync(rabbit);
            var channel = await connection.CreateChannelAsync();
            var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
            var types = typeof(RequestDeployment).Assembly.GetTypes()
                .Where(t => t.Namespace == "Rad.Contracts" && t.IsClass && !t.IsAbstract && t.GetProperty("DeploymentId") is not null);
            foreach (var type in types)
            {
                // As MassTransit declares a message type's exchange: fanout, durable.
                var exchange = $"Rad.Contracts:{type.Name}";
                await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
                await channel.QueueBindAsync(queue, exchange, "");
            }
            return new MessageSpy(connection, channel, queue);
        }

        public async Task<List<string>> DrainAsync()
        {
            var bodies = new List<string>();
            while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
                bodies.Add(Encoding.UTF8.GetString(message.Body.Span));
            return bodies;
        }

        public async ValueTask DisposeAsync()
        {
            await channel.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>The test's own RAD, trusting the https git server's certificate, and that server (git http-backend behind basic auth).</summary>
    public sealed class CredentialRad : IAsyncLifetime
    {
        public GitServer Git { get; } = new();
        public TrustingRad Rad { get; } = new();

        public async Task InitializeAsync()
        {
            // First: the server makes its certificate and the bundle of authorities that the cloner is then told to trust.
            await Git.InitializeAsync();
            await Rad.InitializeAsync();
        }

        /// <summary>Commits the files as branch main of a bare repository NAME.git that the https server serves.</summary>
        public async Task PublishAsync(string name, IReadOnlyDictionary<string, string> files)
        {
            var work = Directory.CreateTempSubdirectory("rad-cred-repo-");
            try
            {
                foreach (var (path, content) in files)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(work.FullName, path))!);
                    await File.WriteAllTextAsync(Path.Combine(work.FullName, path), content);
                }
                await Stack.RunAsync("git", "-C", work.FullName, "init", "-q", "-b", "main");
                await Stack.RunAsync("git", "-C", work.FullName, "add", "-A");
                await Stack.RunAsync("git", "-C", work.FullName, "-c", "user.name=rad", "-c", "user.email=rad@localhost", "commit", "-q", "-m", "app");
                await Stack.RunAsync("git", "clone", "-q", "--bare", work.FullName, Path.Combine(Git.Repositories, $"{name}.git"));
            }
            finally
            {
                work.Delete(recursive: true);
            }
        }

        public async Task DisposeAsync()
        {
            await Rad.DisposeAsync();
            await Git.DisposeAsync();
        }
    }

    public sealed class TrustingRad : IsolatedRad
    {
        protected override void Configure(IDictionary<string, string> environment)
        {
            // Where GitServer wrote the system's authorities plus its own: libgit2 (OpenSSL) reads SSL_CERT_FILE, git GIT_SSL_CAINFO.
            var bundle = Path.Combine(Path.GetTempPath(), $"rad-cloner-test-ca-{Environment.ProcessId}.pem");
            environment["SSL_CERT_FILE"] = bundle;
            environment["GIT_SSL_CAINFO"] = bundle;
        }
    }
}
