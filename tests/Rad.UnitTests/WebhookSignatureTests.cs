using System.Security.Cryptography;
using System.Text;
using Rad.Webhooks;
using Xunit;

namespace Rad.UnitTests;

public sealed class WebhookSignatureTests
{
    // The example in GitHub's "Validating webhook deliveries" documentation.
    const string GitHubDocSecret = "It's a Secret to Everybody";
    static readonly byte[] GitHubDocPayload = "Hello, World!"u8.ToArray();
    const string GitHubDocSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    [Fact]
    public void Github_signature_from_its_documentation_verifies()
    {
        Assert.True(GitHost.GitHub.Verify(GitHubDocPayload, GitHubDocSignature, GitHubDocSecret));
    }

    [Theory]
    [InlineData("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18")]
    [InlineData("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("sha256=not-hex")]
    [InlineData("sha256=")]
    public void Github_signature_that_differs_in_any_way_is_rejected(string signature)
    {
        Assert.False(GitHost.GitHub.Verify(GitHubDocPayload, signature, GitHubDocSecret));
    }

    [Fact]
    public void Github_signature_of_another_body_is_rejected()
    {
        Assert.False(GitHost.GitHub.Verify("Hello, World?"u8.ToArray(), GitHubDocSignature, GitHubDocSecret));
    }

    [Fact]
    public void Gitea_signs_with_bare_hex_hmac_sha256()
    {
        var hex = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("s3cret"), GitHubDocPayload));

        Assert.True(GitHost.Gitea.Verify(GitHubDocPayload, hex, "s3cret"));
        Assert.True(GitHost.Gitea.Verify(GitHubDocPayload, hex.ToUpperInvariant(), "s3cret"));
        Assert.False(GitHost.Gitea.Verify(GitHubDocPayload, hex, "other"));
    }

    [Fact]
    public void Gitlab_sends_the_secret_itself_as_its_token()
    {
        Assert.True(GitHost.GitLab.Verify(GitHubDocPayload, "s3cret", "s3cret"));
        Assert.False(GitHost.GitLab.Verify(GitHubDocPayload, "s3cre", "s3cret"));
        Assert.False(GitHost.GitLab.Verify(GitHubDocPayload, "s3cret ", "s3cret"));
    }

    [Theory]
    [InlineData("main", "main", new string[0], true)]
    [InlineData("develop", "main", new string[0], false)]
    [InlineData("main", null, new string[0], false)]
    [InlineData("release/1.2", "main", new[] { "main", "release/*" }, true)]
    [InlineData("releases", "main", new[] { "release/*" }, false)]
    [InlineData("anything", "main", new[] { "*" }, true)]
    [InlineData("main", "main", new[] { "develop" }, false)]
    public void Branch_filter_defaults_to_the_default_branch_and_takes_patterns(string branch, string? defaultBranch, string[] patterns, bool deploys)
    {
        Assert.Equal(deploys, WebhookEndpoints.SkipReason(branch, defaultBranch, patterns) is null);
    }

    [Fact]
    public void Same_delivery_names_the_same_deployment_and_hosts_do_not_collide()
    {
        Assert.Equal(WebhookEndpoints.DeploymentIdFor("github", "d1"), WebhookEndpoints.DeploymentIdFor("github", "d1"));
        Assert.NotEqual(WebhookEndpoints.DeploymentIdFor("github", "d1"), WebhookEndpoints.DeploymentIdFor("gitea", "d1"));
        Assert.NotEqual(WebhookEndpoints.DeploymentIdFor("github", "d1"), WebhookEndpoints.DeploymentIdFor("github", "d2"));
    }
}
