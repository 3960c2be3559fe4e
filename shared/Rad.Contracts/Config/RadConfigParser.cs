using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rad.Contracts.Config;

/// <summary>
/// Reads rad.json and reports every problem at once, each with its JSON path, so a user fixes the file in one pass.
/// </summary>
public static partial class RadConfigParser
{
    public const int MaxApplications = 50;
    public const int MaxReplicas = 100;

    /// <summary>Names leave room for the suffix of RAD's second slot of an application on Swarm ("_b").</summary>
    public const int MaxApplicationName = 61;

    static readonly string[] RootFields = ["applications", "registry", "rollback_on_failure"];
    static readonly string[] ApplicationFields =
        ["application_name", "dockerfile", "replica_count", "port", "context", "container_port", "resources", "service_type", "health", "strategy",
         "keep_previous", "canary"];
    static readonly string[] ResourceGroups = ["requests", "limits"];
    static readonly string[] ResourceNames = ["cpu", "memory"];
    static readonly string[] ServiceTypes = ["ClusterIP", "NodePort", "LoadBalancer"];
    static readonly string[] RegistryFields = ["address"];

    public static RadConfigParseResult Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            return new(null, [$"is not valid JSON: {e.Message}"]);
        }

        using (document)
        {
            var errors = new List<string>();
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new(null, [$"must be a JSON object with \"applications\" and \"registry\", found {Describe(root)}"]);

            KnownFields.Reject(root, "", RootFields, errors);
            var applications = ReadApplications(root, errors);
            var registry = ReadRegistry(root, errors);
            var rollbackOnFailure = true;
            if (root.TryGetProperty("rollback_on_failure", out var rollback))
            {
                if (rollback.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    rollbackOnFailure = rollback.GetBoolean();
                else
                    errors.Add($"rollback_on_failure must be true or false, found {Describe(rollback)}");
            }
            return errors.Count == 0 ? new(new RadConfig(applications, registry!, rollbackOnFailure), errors) : new(null, errors);
        }
    }

    static List<RadApplication> ReadApplications(JsonElement root, List<string> errors)
    {
        var result = new List<RadApplication>();
        if (!root.TryGetProperty("applications", out var apps))
        {
            errors.Add("applications is required: a list of { \"application_name\", \"dockerfile\", \"replica_count\", \"port\" }");
            return result;
        }
        if (apps.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"applications must be an array, found {Describe(apps)}");
            return result;
        }
        var count = apps.GetArrayLength();
        if (count == 0)
            errors.Add("applications must list at least one application");
        if (count > MaxApplications)
            errors.Add($"applications lists {count} applications; at most {MaxApplications} are allowed");

        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var ports = new Dictionary<int, int>();
        var index = 0;
        foreach (var app in apps.EnumerateArray())
        {
            var path = $"applications[{index}]";
            var before = errors.Count;
            if (app.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{path} must be an object, found {Describe(app)}");
                index++;
                continue;
            }
            KnownFields.Reject(app, path + ".", ApplicationFields, errors);

            var name = RequiredString(app, path, "application_name", errors);
            if (name is not null && (!DnsLabel.IsValid(name) || name.Length > MaxApplicationName))
                errors.Add($"{path}.application_name \"{name}\" must be 1-{MaxApplicationName} lowercase letters, digits or '-', starting and ending with a letter or digit");
            else if (name is not null && names.TryGetValue(name, out var first))
                errors.Add($"{path}.application_name \"{name}\" is already used by applications[{first}]; names must be unique");
            else if (name is not null)
                names[name] = index;

            var dockerfile = RequiredString(app, path, "dockerfile", errors);
            if (dockerfile is not null)
                CheckRelativePath(dockerfile, $"{path}.dockerfile", errors);

            var context = OptionalString(app, path, "context", errors) ?? ".";
            CheckRelativePath(context, $"{path}.context", errors);

            var replicas = RequiredInt(app, path, "replica_count", 0, MaxReplicas, errors);
            var port = RequiredInt(app, path, "port", 1, 65535, errors);
            if (port is int p)
            {
                if (ports.TryGetValue(p, out var other))
                    errors.Add($"{path}.port {p} is already used by applications[{other}]; each application needs its own port");
                else
                    ports[p] = index;
            }
            var containerPort = app.TryGetProperty("container_port", out _)
                ? RequiredInt(app, path, "container_port", 1, 65535, errors)
                : port;

            var resources = ReadResources(app, path, errors);
            var serviceType = OptionalString(app, path, "service_type", errors);
            if (serviceType is not null && !ServiceTypes.Contains(serviceType, StringComparer.Ordinal))
                errors.Add($"{path}.service_type \"{serviceType}\" must be one of {string.Join(", ", ServiceTypes)} (Kubernetes only; a port in 30000-32767 is a NodePort)");

            var health = ReadHealth(app, path, errors);
            var rollout = ReadRollout(app, path, errors);

            if (errors.Count == before)
                result.Add(new RadApplication(name!, Normalize(dockerfile!), Normalize(context), replicas!.Value, port!.Value, containerPort!.Value,
                    resources, serviceType, health, rollout));
            index++;
        }
        return result;
    }

    /// <summary>
    /// "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {...}}, as Kubernetes writes quantities; on the
    /// local Swarm limits become the tasks' limits and requests their reservations. Amounts the engine or Kubernetes would
    /// refuse (a limit below a request, under 6 MiB or 10m of CPU) are refused here, naming the field.
    /// </summary>
    static ApplicationResources? ReadResources(JsonElement app, string path, List<string> errors)
    {
        if (!app.TryGetProperty("resources", out var resources))
            return null;
        if (resources.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}.resources must be an object such as {{\"limits\": {{\"cpu\": \"500m\", \"memory\": \"256Mi\"}}}}, found {Describe(resources)}");
            return null;
        }
        KnownFields.Reject(resources, $"{path}.resources.", ResourceGroups, errors);
        string? Quantity(string group, string name)
        {
            if (!resources.TryGetProperty(group, out var section) || section.ValueKind != JsonValueKind.Object)
                return null;
            if (!section.TryGetProperty(name, out _))
                return null;
            var field = $"{path}.resources.{group}.{name}";
            var value = OptionalString(section, $"{path}.resources.{group}", name, errors);
            if (value is null)
                return null;
            if (!ResourceQuantity.IsQuantity(value))
            {
                errors.Add($"{field} \"{Excerpt.Of(value, 40)}\" is not a Kubernetes quantity (e.g. \"250m\" or \"0.5\" of cpu, \"128Mi\" or \"1Gi\" of memory)");
                return null;
            }
            var amount = name == "cpu" ? ResourceQuantity.NanoCpus(value) : ResourceQuantity.Bytes(value);
            if (amount is null)
                errors.Add($"{field} \"{Excerpt.Of(value, 40)}\" is too large");
            else if (name == "memory" && amount < 1024 * 1024)
                errors.Add($"{field} \"{value}\" is less than 1Mi{(value.EndsWith('m') ? $" (m means thousandths: did you mean \"{value}i\"?)" : "")}");
            else if (name == "cpu" && amount < 1_000_000)
                errors.Add($"{field} \"{value}\" is less than 1m, the smallest amount of cpu");
            else if (group == "limits" && name == "memory" && amount < ResourceQuantity.MinMemoryLimitBytes)
                errors.Add($"{field} \"{value}\" is below 6Mi, the smallest memory limit the Docker engine accepts");
            else if (group == "limits" && name == "cpu" && amount < ResourceQuantity.MinCpuLimitNanos)
                errors.Add($"{field} \"{value}\" is below 10m, the smallest cpu limit the Docker engine accepts");
            else
                return value;
            return null;
        }
        foreach (var group in ResourceGroups)
            if (resources.TryGetProperty(group, out var section))
            {
                if (section.ValueKind != JsonValueKind.Object)
                    errors.Add($"{path}.resources.{group} must be an object with cpu and/or memory, found {Describe(section)}");
                else
                    KnownFields.Reject(section, $"{path}.resources.{group}.", ResourceNames, errors);
            }
        var result = new ApplicationResources(Quantity("requests", "cpu"), Quantity("requests", "memory"), Quantity("limits", "cpu"), Quantity("limits", "memory"));
        if (result.CpuRequest is { } cpuRequest && result.CpuLimit is { } cpuLimit && ResourceQuantity.NanoCpus(cpuRequest) > ResourceQuantity.NanoCpus(cpuLimit))
            errors.Add($"{path}.resources.requests.cpu \"{cpuRequest}\" is more than limits.cpu \"{cpuLimit}\"; a request may not exceed its limit");
        if (result.MemoryRequest is { } memoryRequest && result.MemoryLimit is { } memoryLimit && ResourceQuantity.Bytes(memoryRequest) > ResourceQuantity.Bytes(memoryLimit))
            errors.Add($"{path}.resources.requests.memory \"{memoryRequest}\" is more than limits.memory \"{memoryLimit}\"; a request may not exceed its limit");
        return result;
    }

    static RadRegistry? ReadRegistry(JsonElement root, List<string> errors)
    {
        if (!root.TryGetProperty("registry", out var registry))
        {
            errors.Add("registry is required: { \"address\": \"127.0.0.1:5000/my-team\" }");
            return null;
        }
        if (registry.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"registry must be an object, found {Describe(registry)}");
            return null;
        }
        KnownFields.Reject(registry, "registry.", RegistryFields, errors);
        var address = RequiredString(registry, "registry", "address", errors);
        if (address is null)
            return null;
        if (!RegistryAddress().IsMatch(address))
        {
            errors.Add($"registry.address \"{address}\" is not an image repository (expected e.g. \"127.0.0.1:5000/team\" or \"docker.io/user/repo\", lowercase, no tag)");
            return null;
        }
        return new RadRegistry(address.TrimEnd('/'));
    }

    static string? RequiredString(JsonElement element, string path, string field, List<string> errors)
    {
        if (!element.TryGetProperty(field, out var value))
        {
            errors.Add($"{path}.{field} is required");
            return null;
        }
        return StringValue(value, $"{path}.{field}", errors);
    }

    static string? OptionalString(JsonElement element, string path, string field, List<string> errors) =>
        element.TryGetProperty(field, out var value) ? StringValue(value, $"{path}.{field}", errors) : null;

    static string? StringValue(JsonElement value, string path, List<string> errors)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{path} must be a string, found {Describe(value)}");
            return null;
        }
        var text = value.GetString()!;
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add($"{path} must not be empty");
            return null;
        }
        return text;
    }

    static int? RequiredInt(JsonElement element, string path, string field, int min, int max, List<string> errors)
    {
        if (!element.TryGetProperty(field, out var value))
        {
            errors.Add($"{path}.{field} is required");
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
        {
            errors.Add($"{path}.{field} must be a whole number between {min} and {max}, found {Describe(value)}");
            return null;
        }
        if (number < min || number > max)
        {
            errors.Add($"{path}.{field} must be between {min} and {max} (found {number})");
            return null;
        }
        return number;
    }

    static void CheckRelativePath(string path, string jsonPath, List<string> errors)
    {
        if (Path.IsPathRooted(path) || path.Contains('\\'))
            errors.Add($"{jsonPath} \"{path}\" must be a relative path inside the repository, with '/' separators");
        else if (path.Split('/').Contains(".."))
            errors.Add($"{jsonPath} \"{path}\" must stay inside the repository ('..' is not allowed)");
    }

    static string Normalize(string relativePath)
    {
        var parts = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");
        var joined = string.Join('/', parts);
        return joined.Length == 0 ? "." : joined;
    }

    static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"{value.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString(),
    };

    // host[:port]/path or a Docker Hub path: lowercase components separated by '/', no tag or digest.
    [GeneratedRegex(@"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*/?$")]
    private static partial Regex RegistryAddress();
}
