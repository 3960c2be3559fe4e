using Rad.Cloner;
using Xunit;

namespace Rad.UnitTests;

public class RemoteTargetTests
{
    const string Main = "1111111111111111111111111111111111111111";
    const string Feature = "2222222222222222222222222222222222222222";
    const string TagObject = "3333333333333333333333333333333333333333";
    static readonly GitRemote Remote = GitRemote.Parse("git://127.0.0.1:9418/app.git", []);

    static readonly AdvertisedRef[] Refs =
    [
        new("HEAD", Main, "refs/heads/main"),
        new("refs/heads/main", Main),
        new("refs/heads/feature", Feature),
        new("refs/tags/v1", TagObject),
        new("refs/tags/v1^{}", Feature),
        new("refs/tags/feature", Main),
    ];

    [Theory]
    [InlineData("HEAD", Main, "refs/heads/main")]
    [InlineData("main", Main, "refs/heads/main")]
    [InlineData("feature", Feature, "refs/heads/feature")]   // a branch wins over a tag of the same name, as in git clone --branch
    [InlineData("v1", Feature, "refs/tags/v1")]              // annotated: the commit it peels to
    [InlineData("refs/tags/feature", Main, "refs/tags/feature")]
    [InlineData(Feature, Feature, "refs/heads/feature")]     // a SHA that is a branch tip is fetched by that branch
    [InlineData("4444444444444444444444444444444444444444", "4444444444444444444444444444444444444444", null)]
    [InlineData("abcdef1", null, null)]
    public void Refs_resolve_from_what_the_server_advertises(string gitRef, string? commit, string? source)
    {
        var target = RemoteTarget.Resolve(gitRef, Refs, Remote);

        Assert.Equal((commit, source), (target.Commit, target.Source));
    }

    [Fact]
    public void An_unknown_name_fails_saying_how_commits_are_given()
    {
        var error = Assert.Throws<CloneException>(() => RemoteTarget.Resolve("release-9", Refs, Remote));

        Assert.Equal("ref 'release-9' was not found in git://127.0.0.1:9418/app.git: it is no branch or tag there (commits are given by their full 40-character SHA)", error.Message);
    }
}
