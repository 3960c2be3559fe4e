namespace Rad.FakeKubernetes;

/// <summary>A kind the fake serves, as discovery describes it (with the short names and categories kubectl resolves).</summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced, string[]? ShortNames = null, bool InAll = false)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The kinds RAD uses, plus the Cluster API kinds a workload cluster template is made of.</summary>
    public static readonly IReadOnlyList<ResourceType> All =
    [
        new("", "v1", "namespaces", "Namespace", false, ["ns"]),
        new("", "v1", "pods", "Pod", true, ["po"], InAll: true),
        new("", "v1", "services", "Service", true, ["svc"], InAll: true),
        new("", "v1", "secrets", "Secret", true),
        new("", "v1", "events", "Event", true, ["ev"]),
        new("apps", "v1", "deployments", "Deployment", true, ["deploy"], InAll: true),
        new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true),
        new("cluster.x-k8s.io", "v1beta1", "clusters", "Cluster", true, ["cl"]),
        new("cluster.x-k8s.io", "v1beta1", "machinedeployments", "MachineDeployment", true, ["md"]),
        new("controlplane.cluster.x-k8s.io", "v1beta1", "kubeadmcontrolplanes", "KubeadmControlPlane", true, ["kcp"]),
        new("infrastructure.cluster.x-k8s.io", "v1beta1", "dockerclusters", "DockerCluster", true),
        new("infrastructure.cluster.x-k8s.io", "v1beta1", "dockermachinetemplates", "DockerMachineTemplate", true),
        new("bootstrap.cluster.x-k8s.io", "v1beta1", "kubeadmconfigtemplates", "KubeadmConfigTemplate", true),
    ];

    public static ResourceType Of(string kind) => All.First(r => r.Kind == kind);
}
