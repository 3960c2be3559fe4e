using Rad.Docker;
using Xunit;

namespace Rad.UnitTests;

public class DockerIgnoreTests
{
    [Fact]
    public void Patterns_negation_and_directories_follow_dockerignore_rules()
    {
        var ignore = DockerIgnore.Parse(["# comment", "*.log", "build/", "**/secret*", "!keep.log", "docs/**/*.md"]);

        Assert.True(ignore.IsIgnored("app.log"));
        Assert.False(ignore.IsIgnored("keep.log"));
        Assert.True(ignore.IsIgnored("build/out.bin"));
        Assert.True(ignore.IsIgnored("a/b/secret.txt"));
        Assert.True(ignore.IsIgnored("docs/x/y/readme.md"));
        Assert.False(ignore.IsIgnored("src/app.cs"));
        Assert.False(ignore.IsIgnored("sub/app.log"));
    }
}
