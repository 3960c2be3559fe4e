using Rad.Contracts;
using Xunit;

namespace Rad.UnitTests;

public class RedactionTests
{
    [Theory]
    [InlineData("https://bot:ghp_secret@github.com/org/repo.git", "https://***@github.com/org/repo.git")]
    [InlineData("clone of git+ssh://deploy@host/r.git and https://u:p@h/x failed", "clone of git+ssh://***@host/r.git and https://***@h/x failed")]
    [InlineData("1https://t@h/", "1https://***@h/")]
    [InlineData("https://github.com/org/repo.git", "https://github.com/org/repo.git")]
    [InlineData("mail me@example.com, path a/b@c", "mail me@example.com, path a/b@c")]
    public void The_user_and_token_of_every_url_are_hidden(string text, string expected) => Assert.Equal(expected, Redaction.Credentials(text));

    // A hostile request sent a 1 MB repository URL; the backtracking pattern took 79.7 s on it, and 36-65 s again on
    // every later read of the deployment. 4 MB here would take the old pattern over 20 minutes.
    [Fact(Timeout = 20_000)]
    public async Task Megabytes_of_scheme_like_text_take_no_time()
    {
        var text = new string('a', 4 * 1024 * 1024) + "://x";

        var redacted = await Task.Run(() => Redaction.Credentials(text));

        Assert.Equal(text.Length, redacted.Length);
        Assert.Equal("https://***@h", await Task.Run(() => Redaction.Credentials(new string('-', 1024 * 1024) + "https://u:p@h")[(1024 * 1024)..]));
    }
}
