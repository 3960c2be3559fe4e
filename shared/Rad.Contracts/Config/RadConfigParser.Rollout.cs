using System.Text.Json;

namespace Rad.Contracts.Config;

// "health", "strategy", "keep_previous" and "canary" of one application: how RAD tells a replica works and how a new
// version replaces the running one.
public static partial class RadConfigParser
{
    static readonly string[] HealthFields = ["path", "expect", "interval", "timeout", "successes"];
    static readonly string[] CanaryFields = ["steps", "pause", "max_error_rate"];
    static readonly TimeSpan DefaultKeepPrevious = TimeSpan.FromMinutes(5);
    static readonly TimeSpan DefaultCanaryPause = TimeSpan.FromSeconds(30);
    const double DefaultMaxErrorRate = 0.01;

    static HealthCheck? ReadHealth(JsonElement app, string path, List<string> errors)
    {
        if (!app.TryGetProperty("health", out var health))
            return null;
        var at = $"{path}.health";
        if (health.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{at} must be an object such as {{\"path\": \"/healthz\", \"expect\": \"2xx\", \"interval\": \"1s\", \"timeout\": \"2s\", \"successes\": 3}}, found {Describe(health)}");
            return null;
        }
        KnownFields.Reject(health, at + ".", HealthFields, errors);
        var defaults = HealthCheck.TcpDefault;
        var checkPath = OptionalString(health, at, "path", errors);
        if (checkPath is not null && (!checkPath.StartsWith('/') || checkPath.Any(char.IsWhiteSpace) || checkPath.Length > 1024))
            errors.Add($"{at}.path \"{checkPath}\" must be an absolute URL path such as \"/healthz\" (no spaces, at most 1024 characters)");
        var expect = OptionalString(health, at, "expect", errors);
        if (expect is not null && HealthStatus.Range(expect) is null)
            errors.Add($"{at}.expect \"{expect}\" must be a status (\"200\"), a class (\"2xx\") or a range of them (\"2xx-3xx\", \"200-204\")");
        if (expect is not null && checkPath is null && !health.TryGetProperty("path", out _))
            errors.Add($"{at}.expect needs {at}.path: without a path the check is a TCP connect, which has no status");
        var interval = OptionalDuration(health, at, "interval", TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), errors) ?? defaults.Interval;
        var timeout = OptionalDuration(health, at, "timeout", TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), errors) ?? defaults.Timeout;
        var successes = health.TryGetProperty("successes", out _) ? RequiredInt(health, at, "successes", 1, 10, errors) : defaults.Successes;
        return new HealthCheck(checkPath, expect ?? defaults.Expect, interval, timeout, successes ?? defaults.Successes);
    }

    static RolloutPolicy? ReadRollout(JsonElement app, string path, List<string> errors)
    {
        var strategy = OptionalString(app, path, "strategy", errors);
        if (strategy is not null && !RolloutPolicy.Strategies.Contains(strategy, StringComparer.Ordinal))
        {
            errors.Add($"{path}.strategy \"{strategy}\" must be one of {string.Join(", ", RolloutPolicy.Strategies)}");
            return null;
        }
        var keep = OptionalDuration(app, path, "keep_previous", TimeSpan.Zero, TimeSpan.FromHours(24), errors);
        if (app.TryGetProperty("keep_previous", out _) && strategy != RolloutPolicy.BlueGreen)
            errors.Add($"{path}.keep_previous applies to \"strategy\": \"blue-green\" only (found {(strategy is null ? "no strategy, i.e. rolling" : $"\"{strategy}\"")})");
        var canary = ReadCanary(app, path, errors);
        if (app.TryGetProperty("canary", out _) && strategy != RolloutPolicy.CanaryStrategy)
            errors.Add($"{path}.canary applies to \"strategy\": \"canary\" only; add \"strategy\": \"canary\" or remove it");
        if (strategy is null)
            return null;
        return strategy switch
        {
            RolloutPolicy.BlueGreen => new RolloutPolicy(strategy, keep ?? DefaultKeepPrevious),
            RolloutPolicy.CanaryStrategy => new RolloutPolicy(strategy, TimeSpan.Zero,
                canary ?? new CanaryPolicy([10, 50, 100], DefaultCanaryPause, DefaultMaxErrorRate)),
            _ => new RolloutPolicy(strategy, TimeSpan.Zero),
        };
    }

    static CanaryPolicy? ReadCanary(JsonElement app, string path, List<string> errors)
    {
        if (!app.TryGetProperty("canary", out var canary))
            return null;
        var at = $"{path}.canary";
        if (canary.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{at} must be an object such as {{\"steps\": [10, 50, 100], \"pause\": \"30s\", \"max_error_rate\": 0.01}}, found {Describe(canary)}");
            return null;
        }
        KnownFields.Reject(canary, at + ".", CanaryFields, errors);
        var before = errors.Count;
        List<int> steps = [10, 50, 100];
        if (canary.TryGetProperty("steps", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() is 0 or > 10
                || list.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out var n) || n is < 1 or > 100))
                errors.Add($"{at}.steps must list 1 to 10 whole percentages of traffic (1-100) for the new version, such as [10, 50, 100]");
            else
            {
                steps = list.EnumerateArray().Select(s => s.GetInt32()).ToList();
                if (steps.Zip(steps.Skip(1)).Any(p => p.Second <= p.First))
                    errors.Add($"{at}.steps [{string.Join(", ", steps)}] must rise step by step");
                else if (steps[^1] != 100)
                    errors.Add($"{at}.steps [{string.Join(", ", steps)}] must end at 100, where the new version takes all traffic");
            }
        }
        var pause = OptionalDuration(canary, at, "pause", TimeSpan.Zero, TimeSpan.FromHours(1), errors) ?? DefaultCanaryPause;
        var rate = DefaultMaxErrorRate;
        if (canary.TryGetProperty("max_error_rate", out var limit))
        {
            if (limit.ValueKind != JsonValueKind.Number || !limit.TryGetDouble(out rate) || rate is < 0 or > 1)
                errors.Add($"{at}.max_error_rate must be a fraction between 0 and 1 (0.01 = 1% of requests), found {Describe(limit)}");
        }
        return errors.Count == before ? new CanaryPolicy(steps, pause, rate) : null;
    }

    static TimeSpan? OptionalDuration(JsonElement element, string path, string field, TimeSpan min, TimeSpan max, List<string> errors)
    {
        if (!element.TryGetProperty(field, out var value))
            return null;
        if (value.ValueKind != JsonValueKind.String || Duration.Parse(value.GetString()!) is not { } duration)
        {
            errors.Add($"{path}.{field} must be a duration such as \"500ms\", \"2s\" or \"5m\", found {Describe(value)}");
            return null;
        }
        if (duration < min || duration > max)
        {
            errors.Add($"{path}.{field} must be between {Duration.Format(min)} and {Duration.Format(max)} (found \"{value.GetString()}\")");
            return null;
        }
        return duration;
    }
}
