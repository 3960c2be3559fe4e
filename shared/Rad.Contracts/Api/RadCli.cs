namespace Rad.Contracts;

/// <summary>How the rad CLI names itself to the API (its User-Agent), so a deployment records that the CLI started it.</summary>
public static class RadCli
{
    public const string UserAgentProduct = "rad-cli";
}
