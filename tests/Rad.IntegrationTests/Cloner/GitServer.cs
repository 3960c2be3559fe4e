using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Rad.IntegrationTests.Cloner;

/// <summary>
/// Real git servers the cloner tests own: a git daemon (git://) and git's own smart-HTTP backend behind a small
/// Kestrel CGI host that demands basic auth, over http and https, all on free ports of 127.0.0.1 over repositories
/// made here. The daemon's log (one "Request upload-pack" line per connection) tells how often a client came.
/// </summary>
public sealed class GitServer : IAsyncLifetime
{
    public const string User = "bot";
    public const string Token = "tok-5f1d9c-never-on-disk";

    readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("rad-cloner-test-");
    Process? _daemon;
    WebApplication? _http;

    public string Repositories => Path.Combine(_root.FullName, "repos");
    public string DaemonLog => Path.Combine(_root.FullName, "daemon.log");
    public int DaemonPort { get; } = FreePort();
    public int HttpPort { get; } = FreePort();
    public int HttpsPort { get; } = FreePort();
    public string GitUrl(string name) => $"git://127.0.0.1:{DaemonPort}/{name}.git";
    public string HttpUrl(string name, string? credentials = null) => $"http://{(credentials is null ? "" : credentials + "@")}127.0.0.1:{HttpPort}/{name}.git";
    public string HttpsUrl(string name, string? credentials = null) => $"https://{(credentials is null ? "" : credentials + "@")}127.0.0.1:{HttpsPort}/{name}.git";

    /// <summary>
    /// The https endpoint's self-signed certificate, made once per test run. libgit2 (OpenSSL) reads SSL_CERT_FILE when
    /// it initializes, which is after this runs (only tests with this fixture touch LibGit2Sharp); git reads
    /// GIT_SSL_CAINFO. Both get the system's authorities plus this one, so nothing else loses trust.
    /// </summary>
    static readonly X509Certificate2 Certificate = TrustedCertificate();

    static X509Certificate2 TrustedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var bundle = Path.Combine(Path.GetTempPath(), $"rad-cloner-test-ca-{Environment.ProcessId}.pem");
        File.WriteAllText(bundle, File.ReadAllText("/etc/ssl/certs/ca-certificates.crt") + "\n" + created.ExportCertificatePem() + "\n");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(bundle);
        // .NET keeps its own copy of the environment (what child processes get); OpenSSL inside libgit2 reads the C one.
        setenv("SSL_CERT_FILE", bundle, 1);
        Environment.SetEnvironmentVariable("GIT_SSL_CAINFO", bundle);
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    /// <summary>Commits of repository "app": First (no ref points at it), Second (branch feature, tags light and annotated), Third (main).</summary>
    public string First { get; private set; } = "";
    public string Second { get; private set; } = "";
    public string Third { get; private set; } = "";

    [System.Runtime.InteropServices.DllImport("libc")]
    static extern int setenv(string name, string value, int overwrite);

    public async Task InitializeAsync()
    {
        var work = Path.Combine(_root.FullName, "work");
        Directory.CreateDirectory(work);
        await GitAsync(work, "init", "-q", "-b", "main");
        await File.WriteAllTextAsync(Path.Combine(work, "rad.json"), Repos.RadJson(("app", "Dockerfile", 1, 30999)));
        await File.WriteAllTextAsync(Path.Combine(work, "Dockerfile"), "FROM rad/busybox:local\n");
        First = await CommitAsync(work, "first");
        await File.WriteAllTextAsync(Path.Combine(work, "second.txt"), "2");
        Directory.CreateDirectory(Path.Combine(work, "bin"));
        await File.WriteAllTextAsync(Path.Combine(work, "bin", "run.sh"), "#!/bin/sh\necho run\n");
        File.SetUnixFileMode(Path.Combine(work, "bin", "run.sh"), (UnixFileMode)0b111_101_101);
        File.CreateSymbolicLink(Path.Combine(work, "link.txt"), "second.txt");
        Second = await CommitAsync(work, "second");
        await GitAsync(work, "branch", "feature");
        await GitAsync(work, "tag", "light");
        await GitAsync(work, "-c", "user.name=rad", "-c", "user.email=rad@localhost", "tag", "-a", "-m", "annotated", "annotated");
        await File.WriteAllTextAsync(Path.Combine(work, "third.txt"), "3");
        Third = await CommitAsync(work, "third");
        await GitAsync(_root.FullName, "clone", "-q", "--bare", work, Path.Combine(Repositories, "app.git"));

        _daemon = Process.Start(new ProcessStartInfo("git",
        [
            "daemon", "--export-all", $"--base-path={Repositories}", "--reuseaddr", $"--port={DaemonPort}", "--listen=127.0.0.1",
            "--verbose",
        ]) { RedirectStandardError = true })!;
        _daemon.ErrorDataReceived += (_, e) => { lock (_root) File.AppendAllText(DaemonLog, e.Data + "\n"); };
        _daemon.BeginErrorReadLine();
        _http = HttpBackend();
        await _http.StartAsync();
        await WaitForPortAsync(DaemonPort);
    }

    public int UploadPackRequests(string name)
    {
        lock (_root)
            return File.Exists(DaemonLog) ? File.ReadLines(DaemonLog).Count(l => l.Contains($"Request upload-pack for '/{name}.git'")) : 0;
    }

    /// <summary>git http-backend as CGI (RFC 3875), behind basic auth for User/Token.</summary>
    WebApplication HttpBackend()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, HttpPort);
            kestrel.Listen(IPAddress.Loopback, HttpsPort, listen => listen.UseHttps(Certificate));
        });
        var app = builder.Build();
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Token}"));
        app.Run(async context =>
        {
            if (context.Request.Headers.Authorization != expected)
            {
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"git\"";
                return;
            }
            var start = new ProcessStartInfo("git", ["http-backend"]) { RedirectStandardInput = true, RedirectStandardOutput = true };
            start.Environment["GIT_PROJECT_ROOT"] = Repositories;
            start.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
            start.Environment["REQUEST_METHOD"] = context.Request.Method;
            start.Environment["PATH_INFO"] = context.Request.Path;
            start.Environment["QUERY_STRING"] = context.Request.QueryString.Value?.TrimStart('?') ?? "";
            start.Environment["CONTENT_TYPE"] = context.Request.ContentType ?? "";
            start.Environment["REMOTE_USER"] = User;
            start.Environment["REMOTE_ADDR"] = "127.0.0.1";
            start.Environment["HTTP_CONTENT_ENCODING"] = context.Request.Headers.ContentEncoding.ToString();
            start.Environment["GIT_PROTOCOL"] = context.Request.Headers["Git-Protocol"].ToString();
            using var backend = Process.Start(start)!;
            await context.Request.Body.CopyToAsync(backend.StandardInput.BaseStream);
            backend.StandardInput.Close();
            var output = backend.StandardOutput.BaseStream;
            string? line;
            while ((line = ReadHeaderLine(output)) is { Length: > 0 })
            {
                var (name, value) = (line[..line.IndexOf(':')], line[(line.IndexOf(':') + 1)..].Trim());
                if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
                    context.Response.StatusCode = int.Parse(value[..3]);
                else
                    context.Response.Headers[name] = value;
            }
            await output.CopyToAsync(context.Response.Body);
            await backend.WaitForExitAsync();
        });
        return app;
    }

    static string? ReadHeaderLine(Stream stream)
    {
        var bytes = new List<byte>();
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != '\n')
            bytes.Add((byte)b);
        return b < 0 && bytes.Count == 0 ? null : Encoding.ASCII.GetString([.. bytes]).TrimEnd('\r');
    }

    async Task<string> CommitAsync(string work, string message)
    {
        await GitAsync(work, "add", "-A");
        await GitAsync(work, "-c", "user.name=rad", "-c", "user.email=rad@localhost", "commit", "-q", "-m", message);
        return (await GitAsync(work, "rev-parse", "HEAD")).Trim();
    }

    /// <summary>Serves repository <paramref name="name"/>: one commit holding rad.json and a file of <paramref name="bytes"/> zero bytes.</summary>
    public async Task<string> AddRepositoryWithFileAsync(string name, string file, long bytes)
    {
        var work = Path.Combine(_root.FullName, "work-" + name);
        Directory.CreateDirectory(work);
        await GitAsync(work, "init", "-q", "-b", "main");
        await File.WriteAllTextAsync(Path.Combine(work, "rad.json"), Repos.RadJson(("app", "Dockerfile", 1, 30999)));
        await using (var stream = File.Create(Path.Combine(work, file)))
            stream.SetLength(bytes);
        await CommitAsync(work, "big file");
        await GitAsync(_root.FullName, "clone", "-q", "--bare", work, Path.Combine(Repositories, name + ".git"));
        return GitUrl(name);
    }

    static async Task<string> GitAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git", arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["GIT_AUTHOR_DATE"] = start.Environment["GIT_COMMITTER_DATE"] = "2020-05-30T00:00:00Z";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', arguments)}: {error}");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static async Task WaitForPortAsync(int port)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException($"git daemon did not listen on {port}");
    }

    public async Task DisposeAsync()
    {
        if (_http is not null)
            await _http.DisposeAsync();
        if (_daemon is not null)
        {
            // The daemon we started, and the children it forked for connections still open.
            _daemon.Kill(entireProcessTree: true);
            await _daemon.WaitForExitAsync();
            _daemon.Dispose();
        }
        _root.Delete(recursive: true);
    }
}
