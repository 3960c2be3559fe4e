using Rad.Contracts;
using Xunit;

namespace Rad.UnitTests;

public class RepositoryUrlTests
{
    [Theory]
    [InlineData("https://github.com/org/repo.git")]
    [InlineData("ssh://git@github.com/org/repo.git")]
    [InlineData("git://127.0.0.1:9418/sample.git")]
    [InlineData("git@github.com:org/repo.git")]
    public void Remote_urls_are_accepted(string url) => Assert.Null(RepositoryUrl.Reject(url, allowLocal: false));

    [Theory]
    [InlineData("file:///srv/repo", "local repositories are disabled")]
    [InlineData("/srv/repo", "local repositories are disabled")]
    [InlineData("http://example.com/repo.git", "uses http://, which RAD does not clone from")]
    [InlineData("ftp://example.com/repo.git", "uses ftp://")]
    [InlineData("--upload-pack=evil", "is not a URL")]
    [InlineData("not a url", "is not a URL")]
    public void Other_urls_are_rejected_with_a_reason(string url, string reason) =>
        Assert.Contains(reason, RepositoryUrl.Reject(url, allowLocal: false));

    [Fact]
    public void Local_repositories_are_accepted_when_enabled()
    {
        Assert.Null(RepositoryUrl.Reject("file:///srv/repo", allowLocal: true));
        Assert.Null(RepositoryUrl.Reject("/srv/repo", allowLocal: true));
    }

    [Fact]
    public void Credentials_never_survive_redaction()
    {
        var redacted = RepositoryUrl.Redact("fatal: could not read from https://bot:ghp_secret123@github.com/org/repo.git/");

        Assert.DoesNotContain("ghp_secret123", redacted);
        Assert.Contains("https://***@github.com/org/repo.git/", redacted);
    }
}
