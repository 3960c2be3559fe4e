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
        }
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
