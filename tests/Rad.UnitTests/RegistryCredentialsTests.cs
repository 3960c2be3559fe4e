using Microsoft.Extensions.Options;
using Rad.Docker;
using Xunit;

namespace Rad.UnitTests;

public sealed class RegistryCredentialsTests
{
    static RegistryLogin Entry(string host, string prefix, string access, string user) =>
        new() { Host = host, PathPrefix = prefix, Access = access, Username = user, Password = "pw-" + user };

    static readonly RegistryCredentials Credentials = new()
    {
        Registries =
        [
            Entry("reg.example:5000", "/", RegistryAccess.Push, "host-wide"),
            Entry("reg.example:5000", "team", RegistryAccess.Push, "team"),
            Entry("reg.example:5000", "team/web/", RegistryAccess.Push, "team-web"),
            Entry("reg.example:5000", "team", RegistryAccess.Pull, "team-reader"),
            Entry("other.example", "ops", RegistryAccess.Push, "ops"),
            Entry("docker.io", "library", RegistryAccess.Pull, "hub-reader"),
        ],
    };

    [Theory]
    [InlineData("reg.example:5000/team/web", "team-web")]
    [InlineData("reg.example:5000/team/web/extra:tag", "team-web")]
    [InlineData("reg.example:5000/team/webshop", "team")]
    [InlineData("REG.example:5000/team/api@sha256:abc", "team")]
    [InlineData("reg.example:5000/teamx/api", "host-wide")]
    [InlineData("other.example/ops/app", "ops")]
    [InlineData("other.example/opsx/app", null)]
    [InlineData("docker.io/library/app", null)]
    public void The_longest_prefix_of_the_images_host_wins_whole_segments_only(string image, string? user) =>
        Assert.Equal(user, Credentials.Push(image)?.Username);

    [Theory]
    [InlineData("reg.example:5000/team/web@sha256:abc", "team-reader")]
    [InlineData("reg.example:5000/elsewhere/web", null)]
    [InlineData("busybox", "hub-reader")]
    [InlineData("busybox:1.36", "hub-reader")]
    [InlineData("someone/app", null)]
    public void Pull_credentials_are_matched_apart_from_push_ones(string image, string? user) =>
        Assert.Equal(user, Credentials.Pull(image)?.Username);

    [Fact]
    public void A_path_outside_every_push_prefix_of_a_host_with_push_credentials_is_a_problem_naming_the_prefixes()
    {
        Assert.Null(Credentials.PushProblem("reg.example:5000/anything/app"));   // the host-wide entry covers it
        Assert.Null(Credentials.PushProblem("127.0.0.1:5000/anything/app"));     // no credentials there: anonymous, as before
        var problem = Credentials.PushProblem("other.example/opsx/app");
        Assert.Equal("registry.address puts other.example/opsx/app outside the repositories RAD may push to on other.example (ops/): "
                     + "use a registry.address under one of them in rad.json, or an operator adds credentials for it (Rad__Registries__N__PathPrefix)", problem);
    }

    [Fact]
    public void Configuration_errors_name_the_entry_and_never_the_password()
    {
        var result = new RegistryCredentialsValidation().Validate(null, new RegistryCredentials
        {
            Registries =
            [
                new RegistryLogin { Host = "reg.example/team", PathPrefix = null, Access = "write", Username = "u", Password = "secret-1" },
                new RegistryLogin { Server = "reg.example", Username = "u", Password = "secret-2" },
                Entry("reg.example", "team", RegistryAccess.Pull, "a"),
                Entry("reg.example", "/team/", RegistryAccess.Pull, "b"),
            ],
        });

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains("Rad__Registries__0__Host \"reg.example/team\" must be a host[:port] only; put the path in Rad__Registries__0__PathPrefix", failures);
        Assert.Contains(failures, f => f.StartsWith("Rad__Registries__0__PathPrefix is required", StringComparison.Ordinal));
        Assert.Contains("Rad__Registries__0__Access must be push or pull, found \"write\"", failures);
        Assert.Contains(failures, f => f.StartsWith("Rad__Registries__1__Server is the old host-wide form", StringComparison.Ordinal));
        Assert.Contains("Rad__Registries lists 2 pull entries for reg.example/team; keep one", failures);
        Assert.DoesNotContain(failures, f => f.Contains("secret-", StringComparison.Ordinal));
        Assert.Equal(ValidateOptionsResult.Success, new RegistryCredentialsValidation().Validate(null, Credentials));
    }
}
