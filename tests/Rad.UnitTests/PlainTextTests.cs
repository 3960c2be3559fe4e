using Rad.Contracts;
using Xunit;

namespace Rad.UnitTests;

public sealed class PlainTextTests
{
    [Theory]
    [InlineData("\u001b[91mno such tool\n\u001b[0m", "no such tool")]
    [InlineData("\u001b[1;32mok\u001b[0m and \u001b[2K\u001b[1Gdone", "ok and done")]
    [InlineData("bell\u0007 nul\u0000 tab\tkept", "bell nul tab\tkept")]
    [InlineData("\u001bMreverse index", "reverse index")]
    [InlineData("plain text, unchanged", "plain text, unchanged")]
    public void Terminal_codes_and_control_characters_are_removed(string raw, string shown) =>
        Assert.Equal(shown, PlainText.WithoutTerminalCodes(raw));

    [Fact]
    public void An_unfinished_sequence_after_a_long_run_of_escapes_leaves_its_text()
    {
        // The expression runs without backtracking, so this is one pass, not 200,000 retries.
        var hostile = new string('\u001b', 200_000) + "[" + new string('0', 200_000);
        Assert.Equal("[" + new string('0', 200_000), PlainText.WithoutTerminalCodes(hostile));
    }
}
