namespace Rad.Contracts;

/// <summary>Parts of an image reference: registry/path/name, then :tag and/or @digest.</summary>
public static class ImageReference
{
    /// <summary>The repository of a reference: "127.0.0.1:5000/team/app:abc@sha256:..." is "127.0.0.1:5000/team/app" (a registry's port is no tag).</summary>
    public static string RepositoryOf(string reference)
    {
        var digest = reference.IndexOf('@');
        var withoutDigest = digest < 0 ? reference : reference[..digest];
        var colon = withoutDigest.LastIndexOf(':');
        return colon > withoutDigest.LastIndexOf('/') ? withoutDigest[..colon] : withoutDigest;
    }
}
