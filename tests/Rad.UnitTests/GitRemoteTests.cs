using Rad.Cloner;
using Xunit;

namespace Rad.UnitTests;

public class GitRemoteTests
{
    static readonly GitCredential[] Configured = [new() { Host = "git.example.com", Username = "deploy", Password = "configured-secret" }];

    [Fact]
    public void Credentials_in_the_url_are_taken_out_of_what_is_stored_and_shown()
    {
        var remote = GitRemote.Parse("https://bot:p%40ss-123@github.com/org/repo.git", Configured);

        Assert.Equal("https://github.com/org/repo.git", remote.Url);
        Assert.Equal("https://***@github.com/org/repo.git", remote.Display);
        Assert.Equal(("bot", "p@ss-123"), (remote.Username, remote.Password));
        Assert.DoesNotContain("p@ss", remote.ToString());
        Assert.DoesNotContain("p%40ss", remote.ToString());
    }

    [Theory]
    [InlineData("https://git.example.com/org/repo.git", "deploy")]
    [InlineData("https://GIT.example.com/org/repo.git", "deploy")]
    [InlineData("https://other.example.com/org/repo.git", null)]
    [InlineData("git://git.example.com/org/repo.git", null)]
    public void Configured_credentials_apply_to_https_on_their_host_only(string url, string? user)
    {
        var remote = GitRemote.Parse(url, Configured);

        Assert.Equal(user, remote.Username);
        Assert.Equal(url, remote.Url);
    }

    [Fact]
    public void The_urls_own_credentials_win_over_configured_ones()
    {
        var remote = GitRemote.Parse("https://bot:tok@git.example.com/org/repo.git", Configured);

        Assert.Equal(("bot", "tok"), (remote.Username, remote.Password));
    }

    [Theory]
    [InlineData("ssh://git:ignored@host/org/repo.git", "ssh://git@host/org/repo.git")]
    [InlineData("ssh://git@host/org/repo.git", "ssh://git@host/org/repo.git")]
    [InlineData("git@github.com:org/repo.git", "git@github.com:org/repo.git")]
    public void Ssh_keeps_the_user_drops_any_password_and_uses_the_system_ssh(string url, string stored)
    {
        var remote = GitRemote.Parse(url, Configured);

        Assert.True(remote.UsesSsh);
        Assert.Equal(stored, remote.Url);
        Assert.Null(remote.Password);
    }

    [Theory]
    [InlineData("/srv/repo")]
    [InlineData("file:///srv/repo")]
    [InlineData("git://127.0.0.1:9418/sample.git")]
    public void Local_and_git_protocol_repositories_need_no_ssh(string url) => Assert.False(GitRemote.Parse(url, []).UsesSsh);
}
