namespace Rad.IntegrationTests.Releases;

/// <summary>
/// Repository contents for release tests: a busybox httpd whose "/" and "/cgi-bin/healthz" are CGI scripts answering a
/// chosen status and body (busybox runs cgi-bin/index.cgi for "/" when there is no index.html), so one file set covers
/// every version: healthy, failing its health check, answering errors, or slow to start listening.
/// </summary>
public static class ReleaseRepos
{
    public static Dictionary<string, string> App(string name, int port, string body, int replicas = 2, int status = 200, int healthStatus = 200,
        double startDelaySeconds = 0, string rollout = "") => new()
    {
        ["rad.json"] = $$"""
            {
              "applications": [
                { "application_name": "{{name}}", "dockerfile": "Dockerfile", "replica_count": {{replicas}}, "port": {{port}}{{(rollout.Length > 0 ? ", " + rollout : "")}} }
              ],
              "registry": { "address": "127.0.0.1:5000/it" }
            }
            """,
        ["Dockerfile"] = $"""
            FROM rad/busybox:local
            COPY www /www
            RUN chmod +x /www/cgi-bin/*
            CMD ["sh", "-c", "sleep {startDelaySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} && exec httpd -f -p {port} -h /www"]
            """,
        ["www/cgi-bin/index.cgi"] = Cgi(status, body),
        ["www/cgi-bin/healthz"] = Cgi(healthStatus, healthStatus == 200 ? "ok" : "not ready"),
    };

    /// <summary>rad.json's health check on the CGI above: every 500 ms, two passes in a row.</summary>
    public const string Health = "\"health\": { \"path\": \"/cgi-bin/healthz\", \"expect\": \"2xx\", \"interval\": \"500ms\", \"timeout\": \"1s\", \"successes\": 2 }";

    static string Cgi(int status, string body) =>
        $"#!/bin/sh\nprintf 'Status: {status} {(status < 400 ? "OK" : "Failing")}\\r\\nContent-Type: text/plain\\r\\n\\r\\n{body}\\n'\n";
}
