using System.Text.Json;
using Rad.Contracts;
using Rad.Status.Persistence;
using Rad.Status.Saga;
using Xunit;

namespace Rad.UnitTests;

public class StoredTextTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("a\0b", "a\\u0000b")]
    [InlineData("bell\a and escape\u001b[31m", "bell\\u0007 and escape\\u001b[31m")]
    [InlineData("lines\nand\ttabs\r\n", "lines\nand\ttabs\r\n")]
    public void Control_characters_become_visible_escapes(string text, string stored) => Assert.Equal(stored, StoredText.Clean(text));

    [Fact]
    public void A_saga_with_a_nul_in_its_error_serializes_to_json_postgresql_stores()
    {
        var saga = new DeploymentState { Error = "rad.json is invalid: applications[0].application_name \"we\0b\"", Repository = "git://h/r.git" };

        var json = JsonSerializer.Serialize(saga, SagaJson.Options);

        // jsonb refuses the \u0000 escape (22P05); the text \\u0000 is an ordinary backslash and letters.
        Assert.DoesNotContain("\\u0000b", json.Replace("\\\\u0000", "", StringComparison.Ordinal));
        Assert.Equal("rad.json is invalid: applications[0].application_name \"we\\u0000b\"", JsonSerializer.Deserialize<DeploymentState>(json, SagaJson.Options)!.Error);
    }
}
