using Rad.Contracts;
using Xunit;

namespace Rad.UnitTests;

/// <summary>Credentials taken out of repository addresses before they are stored or sent (issue 12, item 17).</summary>
public sealed class RepositoryCredentialsTests
{
    [Theory]
    [InlineData("https://bot:tok-123@git.example.com/org/app.git", "https://git.example.com/org/app.git", "bot:tok-123")]
    [InlineData("https://ghp_token@github.com/org/app.git", "https://github.com/org/app.git", "ghp_token")]
    [InlineData("https://bot:p%40ss@host:8443/app.git", "https://host:8443/app.git", "bot:p%40ss")]
    [InlineData("git://127.0.0.1:9418/sample.git", "git://127.0.0.1:9418/sample.git", null)]
    [InlineData("ssh://git@host/org/app.git", "ssh://git@host/org/app.git", null)]
    [InlineData("ssh://git:secret@host/org/app.git", "ssh://git@host/org/app.git", null)]
    [InlineData("git@github.com:org/app.git", "git@github.com:org/app.git", null)]
    public void Split_takes_the_credentials_out_and_join_puts_them_back(string url, string stripped, string? userInfo)
    {
        var (repository, credentials) = RepositoryCredentials.Split(url);

        Assert.Equal((stripped, userInfo), (repository, credentials));
        if (userInfo is not null)
            Assert.Equal(url, RepositoryCredentials.Join(repository, credentials));
    }

    [Fact]
    public void A_hostile_address_is_split_in_linear_time()
    {
        var hostile = "https://" + new string('a', 2_000_000) + ":" + new string('b', 2_000_000);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        Assert.Null(RepositoryCredentials.Split(hostile).UserInfo);
        // A quadratic split of 4 million characters takes hours; 10 s leaves room for a loaded machine.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"{watch.Elapsed.TotalMilliseconds:0} ms");
    }
}
