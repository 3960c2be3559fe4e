namespace Rad.Status.Saga;

/// <summary>Stage names as the original RAD printed them, which users grep for.</summary>
public static class StageNames
{
    public const string Queue = "wait for running deployment";
    public const string Clone = "clone user git repository";
    public static string Cluster(string cluster) => $"provision cluster[{cluster}]";
    public static string Build(string application) => $"build docker image[{application}]";
    public static string Deploy(string application) => $"deploy application[{application}]";
}
