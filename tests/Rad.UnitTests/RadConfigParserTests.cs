using Rad.Contracts.Config;
using Xunit;

namespace Rad.UnitTests;

public class RadConfigParserTests
{
    [Fact]
    public void Seed_format_from_the_design_parses()
    {
        var result = RadConfigParser.Parse("""
            {
              "applications": [
                { "application_name": "sample-app-1", "dockerfile": "Dockerfile", "replica_count": 1, "port": 30000 }
              ],
              "registry": { "address": "aartij17/runtimeautodeploy" }
            }
            """);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var app = Assert.Single(result.Config!.Applications);
        Assert.Equal(new RadApplication("sample-app-1", "Dockerfile", ".", 1, 30000, 30000), app);
        Assert.Equal("aartij17/runtimeautodeploy", result.Config.Registry.Address);
    }

    [Fact]
    public void Context_and_container_port_are_optional_and_normalized()
    {
        var result = RadConfigParser.Parse("""
            {"applications": [{"application_name": "web", "dockerfile": "./web//Dockerfile", "context": "web/", "replica_count": 0, "port": 31000, "container_port": 8080}],
             "registry": {"address": "127.0.0.1:5000/team"}}
            """);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(new RadApplication("web", "web/Dockerfile", "web", 0, 31000, 8080), result.Config!.Applications[0]);
    }

    [Fact]
    public void Every_problem_is_reported_with_its_json_path()
    {
        var result = RadConfigParser.Parse("""
            {
              "applications": [
                { "application_name": "ok", "dockerfile": "Dockerfile", "replica_count": 1, "port": 30000 },
                { "application_name": "Bad_Name", "dockerfile": "../Dockerfile", "replica_count": 500, "port": 30000, "replicas": 2 },
                { "dockerfile": 7, "replica_count": "two", "port": 70000 }
              ],
              "registry": { "address": "Not A Registry" },
              "extra": true
            }
            """);

        Assert.False(result.IsValid);
        var errors = string.Join("\n", result.Errors);
        Assert.Contains("applications[1].application_name \"Bad_Name\" must be 1-61 lowercase letters", errors);
        Assert.Contains("applications[1].dockerfile \"../Dockerfile\" must stay inside the repository", errors);
        Assert.Contains("applications[1].replica_count must be between 0 and 100 (found 500)", errors);
        Assert.Contains("applications[1].port 30000 is already used by applications[0]", errors);
        Assert.Contains("applications[1].replicas is not a known field (did you mean replica_count?)", errors);
        Assert.Contains("applications[2].application_name is required", errors);
        Assert.Contains("applications[2].dockerfile must be a string, found the number 7", errors);
        Assert.Contains("applications[2].replica_count must be a whole number between 0 and 100, found the string \"two\"", errors);
        Assert.Contains("applications[2].port must be between 1 and 65535 (found 70000)", errors);
        Assert.Contains("registry.address \"Not A Registry\" is not an image repository", errors);
        Assert.Contains("extra is not a known field", errors);
    }

    [Theory]
    [InlineData("", "is not valid JSON")]
    [InlineData("[1]", "must be a JSON object")]
    [InlineData("{\"registry\": {\"address\": \"r/x\"}}", "applications is required")]
    [InlineData("{\"applications\": [], \"registry\": {\"address\": \"r/x\"}}", "at least one application")]
    [InlineData("{\"applications\": {}, \"registry\": {\"address\": \"r/x\"}}", "applications must be an array, found an object")]
    [InlineData("{\"applications\": [{\"application_name\": \"a\", \"dockerfile\": \"D\", \"replica_count\": 1, \"port\": 1}]}", "registry is required")]
    [InlineData("{\"applications\": [{\"application_name\": \"a\", \"dockerfile\": \"/abs/D\", \"replica_count\": 1, \"port\": 1}], \"registry\": {\"address\": \"r/x\"}}", "applications[0].dockerfile \"/abs/D\" must be a relative path")]
    [InlineData("{\"applications\": [{\"application_name\": \"a\", \"dockerfile\": \"D\", \"replica_count\": 1.5, \"port\": 1}], \"registry\": {\"address\": \"r/x\"}}", "applications[0].replica_count must be a whole number")]
    public void Malformed_documents_get_a_specific_error(string json, string expected)
    {
        var result = RadConfigParser.Parse(json);

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Duplicate_application_names_are_rejected()
    {
        var result = RadConfigParser.Parse("""
            {"applications": [
              {"application_name": "a", "dockerfile": "D", "replica_count": 1, "port": 1},
              {"application_name": "a", "dockerfile": "D", "replica_count": 1, "port": 2}],
             "registry": {"address": "r/x"}}
            """);

        Assert.Contains("applications[1].application_name \"a\" is already used by applications[0]; names must be unique", result.Errors);
    }
}
