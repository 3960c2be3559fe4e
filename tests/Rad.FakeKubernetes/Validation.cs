using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Rad.FakeKubernetes;

/// <summary>The subset of the API server's validation that RAD's objects meet, with the server's field paths and messages.</summary>
public static partial class Validation
{
    public static List<(string Field, string Reason, string Message)> Check(ResourceType type, JsonObject obj)
    {
        var causes = new List<(string, string, string)>();
        var name = obj["metadata"]?["name"]?.GetValue<string>() ?? "";
        var dnsLabel = type.Kind is "Namespace" or "Service";
        if (!(dnsLabel ? DnsLabel() : DnsSubdomain()).IsMatch(name))
            causes.Add(("metadata.name", "FieldValueInvalid",
                $"Invalid value: \"{name}\": a lowercase RFC 1123 {(dnsLabel ? "label" : "subdomain")} must consist of lower case alphanumeric characters, '-'{(dnsLabel ? "" : " or '.'")}, and must start and end with an alphanumeric character"));
        switch (type.Kind)
        {
            case "Deployment":
                CheckDeployment(obj, causes);
                break;
            case "Service":
                CheckService(obj, causes);
                break;
        }
        return causes;
    }

    static void CheckDeployment(JsonObject obj, List<(string, string, string)> causes)
    {
        var spec = obj["spec"] as JsonObject;
        var selector = spec?["selector"]?["matchLabels"] as JsonObject;
        var labels = spec?["template"]?["metadata"]?["labels"] as JsonObject;
        if (selector is null || selector.Count == 0)
            causes.Add(("spec.selector", "FieldValueRequired", "Required value"));
        else if (labels is null || selector.Any(s => labels[s.Key]?.GetValue<string>() != s.Value?.GetValue<string>()))
            causes.Add(("spec.template.metadata.labels", "FieldValueInvalid", $"Invalid value: {labels?.ToJsonString() ?? "null"}: `selector` does not match template `labels`"));
        if (spec?["replicas"] is JsonValue replicas && replicas.GetValue<int>() < 0)
            causes.Add(("spec.replicas", "FieldValueInvalid", "Invalid value: must be greater than or equal to 0"));
        CheckStrategy(spec?["strategy"] as JsonObject, causes);
        var containers = spec?["template"]?["spec"]?["containers"] as JsonArray;
        if (containers is null || containers.Count == 0)
        {
            causes.Add(("spec.template.spec.containers", "FieldValueRequired", "Required value"));
            return;
        }
        for (var i = 0; i < containers.Count; i++)
        {
            var at = $"spec.template.spec.containers[{i}]";
            if (string.IsNullOrEmpty(containers[i]?["name"]?.GetValue<string>()))
                causes.Add(($"{at}.name", "FieldValueRequired", "Required value"));
            if (string.IsNullOrEmpty(containers[i]?["image"]?.GetValue<string>()))
                causes.Add(($"{at}.image", "FieldValueRequired", "Required value"));
            var ports = containers[i]?["ports"] as JsonArray ?? [];
            for (var p = 0; p < ports.Count; p++)
                if (ports[p]?["containerPort"]?.GetValue<int>() is not (>= 1 and <= 65535))
                    causes.Add(($"{at}.ports[{p}].containerPort", "FieldValueInvalid", "Invalid value: must be between 1 and 65535, inclusive"));
            CheckProbe(containers[i]?["readinessProbe"] as JsonObject, $"{at}.readinessProbe", liveness: false, causes);
            CheckProbe(containers[i]?["livenessProbe"] as JsonObject, $"{at}.livenessProbe", liveness: true, causes);
        }
    }

    /// <summary>apps/validation ValidateDeploymentStrategy: Recreate or RollingUpdate, whose maxUnavailable and maxSurge may not both be 0.</summary>
    static void CheckStrategy(JsonObject? strategy, List<(string, string, string)> causes)
    {
        if (strategy is null)
            return;
        var type = strategy["type"]?.GetValue<string>() ?? "RollingUpdate";
        if (type is not ("Recreate" or "RollingUpdate"))
        {
            causes.Add(("spec.strategy.type", "FieldValueNotSupported", $"Unsupported value: \"{type}\": supported values: \"Recreate\", \"RollingUpdate\""));
            return;
        }
        var rolling = strategy["rollingUpdate"] as JsonObject;
        if (type == "Recreate" && rolling is not null)
            causes.Add(("spec.strategy.rollingUpdate", "FieldValueForbidden", "Forbidden: may not be specified when strategy `type` is 'Recreate'"));
        if (type == "RollingUpdate" && rolling is not null && IsZero(rolling["maxUnavailable"]) && IsZero(rolling["maxSurge"]))
            causes.Add(("spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid", "Invalid value: 0: may not be 0 when `maxSurge` is 0"));
    }

    static bool IsZero(JsonNode? value) => value is JsonValue v && (v.ToJsonString() is "0" or "\"0%\"" or "\"0\"");

    /// <summary>core/validation validateProbe: one handler, whole positive seconds, and successThreshold 1 for liveness.</summary>
    static void CheckProbe(JsonObject? probe, string at, bool liveness, List<(string, string, string)> causes)
    {
        if (probe is null)
            return;
        var handlers = new[] { "exec", "httpGet", "tcpSocket", "grpc" }.Count(h => probe[h] is not null);
        if (handlers == 0)
            causes.Add((at, "FieldValueRequired", "Required value: must specify a handler type"));
        else if (handlers > 1)
            causes.Add((at, "FieldValueForbidden", "Forbidden: may not specify more than 1 handler type"));
        foreach (var field in new[] { "periodSeconds", "timeoutSeconds", "successThreshold", "failureThreshold", "initialDelaySeconds" })
            if (probe[field] is JsonValue value && value.GetValue<int>() < 0)
                causes.Add(($"{at}.{field}", "FieldValueInvalid", $"Invalid value: {value.GetValue<int>()}: must be greater than or equal to 0"));
        if (liveness && probe["successThreshold"] is JsonValue success && success.GetValue<int>() != 1)
            causes.Add(($"{at}.successThreshold", "FieldValueInvalid", $"Invalid value: {success.GetValue<int>()}: must be 1"));
        var port = (probe["httpGet"] ?? probe["tcpSocket"])?["port"];
        if (port is JsonValue number && number.GetValueKind() == System.Text.Json.JsonValueKind.Number && number.GetValue<int>() is not (>= 1 and <= 65535))
            causes.Add(($"{at}.{(probe["httpGet"] is null ? "tcpSocket" : "httpGet")}.port", "FieldValueInvalid", $"Invalid value: {number.GetValue<int>()}: must be between 1 and 65535, inclusive"));
    }

    /// <summary>apps/validation ValidateDeploymentUpdate: a Deployment's selector cannot change once created.</summary>
    public static List<(string Field, string Reason, string Message)> CheckUpdate(ResourceType type, JsonObject existing, JsonObject updated)
    {
        var causes = new List<(string, string, string)>();
        if (type.Kind == "Deployment" && !JsonNode.DeepEquals(existing["spec"]?["selector"], updated["spec"]?["selector"]))
        {
            var labels = (updated["spec"]?["selector"]?["matchLabels"] as JsonObject ?? []).Select(p => $"\"{p.Key}\":\"{p.Value}\"");
            causes.Add(("spec.selector", "FieldValueInvalid",
                $"Invalid value: v1.LabelSelector{{MatchLabels:map[string]string{{{string.Join(", ", labels)}}}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}: field is immutable"));
        }
        return causes;
    }

    static void CheckService(JsonObject obj, List<(string, string, string)> causes)
    {
        var spec = obj["spec"] as JsonObject;
        var type = spec?["type"]?.GetValue<string>() ?? "ClusterIP";
        if (type is not ("ClusterIP" or "NodePort" or "LoadBalancer" or "ExternalName"))
            causes.Add(("spec.type", "FieldValueNotSupported", $"Unsupported value: \"{type}\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""));
        var ports = spec?["ports"] as JsonArray;
        if (ports is null || ports.Count == 0)
        {
            causes.Add(("spec.ports", "FieldValueRequired", "Required value"));
            return;
        }
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i]?["port"]?.GetValue<int>() is not (>= 1 and <= 65535))
                causes.Add(($"spec.ports[{i}].port", "FieldValueInvalid", "Invalid value: must be between 1 and 65535, inclusive"));
            if (ports[i]?["nodePort"] is JsonValue nodePort)
            {
                var value = nodePort.GetValue<int>();
                if (type == "ClusterIP")
                    causes.Add(($"spec.ports[{i}].nodePort", "FieldValueForbidden", "Forbidden: may not be used when `type` is 'ClusterIP'"));
                else if (value is < 30000 or > 32767)
                    causes.Add(($"spec.ports[{i}].nodePort", "FieldValueInvalid",
                        $"Invalid value: {value}: provided port is not in the valid range. The range of valid ports is 30000-32767"));
            }
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
