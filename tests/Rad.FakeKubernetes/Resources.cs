namespace Rad.FakeKubernetes;

/// <summary>A kind the fake serves, as discovery describes it.</summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The kinds RAD uses, plus the Cluster API kinds a workload cluster template is made of.</summary>
    public static readonly IReadOnlyList<ResourceType> All =
    [
        new("", "v1", "namespaces", "Namespace", false),
        new("", "v1", "pods", "Pod", true),
        new("", "v1", "services", "Service", true),
        new("", "v1", "secrets", "Secret", true),
        new("", "v1", "events", "Event", true),
        new("apps", "v1", "deployments", "Deployment", true),
        new("cluster.x-k8s.io", "v1beta1", "clusters", "Cluster", true),
        new("cluster.x-k8s.io", "v1beta1", "machinedeployments", "MachineDeployment", true),
        new("controlplane.cluster.x-k8s.io", "v1beta1", "kubeadmcontrolplanes", "KubeadmControlPlane", true),
        new("infrastructure.cluster.x-k8s.io", "v1beta1", "dockerclusters", "DockerCluster", true),
        new("infrastructure.cluster.x-k8s.io", "v1beta1", "dockermachinetemplates", "DockerMachineTemplate", true),
        new("bootstrap.cluster.x-k8s.io", "v1beta1", "kubeadmconfigtemplates", "KubeadmConfigTemplate", true),
    ];
}
