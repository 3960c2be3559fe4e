using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Rad.Webhooks;
using Xunit;

namespace Rad.UnitTests;

public sealed class WebhookTargetTests
{
    static readonly WebhookOptions Bound = new()
    {
        Repositories = [new WebhookBinding { Repository = "https://github.com/org/app.git", Cluster = "prod", ConfigPath = "deploy/rad.json" }],
    };

    static IQueryCollection Query(params (string Key, string Value)[] values) =>
        new QueryCollection(values.ToDictionary(v => v.Key, v => new StringValues(v.Value)));

    [Fact]
    public void A_bound_repository_deploys_where_the_server_says_whatever_its_address_looks_like()
    {
        var (target, _, problem) = WebhookTarget.Resolve(Bound, "https://GitHub.com/org/app", Query());
        Assert.Null(problem);
        Assert.Equal(new WebhookTarget("prod", "deploy/rad.json"), target);
    }

    [Fact]
    public void Other_repositories_deploy_to_the_defaults()
    {
        var (target, _, _) = WebhookTarget.Resolve(Bound, "https://github.com/org/other.git", Query());
        Assert.Equal(new WebhookTarget("local", "rad.json"), target);
    }

    [Theory]
    [InlineData("cluster", "local")]
    [InlineData("config", "evil.json")]
    public void A_query_that_tries_to_retarget_is_refused_naming_the_parameter(string parameter, string value)
    {
        var (target, named, problem) = WebhookTarget.Resolve(Bound, "https://github.com/org/app.git", Query((parameter, value)));
        Assert.Null(target);
        Assert.Equal(parameter, named);
        Assert.StartsWith($"The query parameter {parameter}=\"{value}\" is refused", problem);
    }

    [Fact]
    public void A_query_that_repeats_the_bound_target_is_accepted()
    {
        var (target, _, problem) = WebhookTarget.Resolve(Bound, "https://github.com/org/app.git", Query(("cluster", "prod"), ("config", "deploy/rad.json")));
        Assert.Null(problem);
        Assert.Equal(new WebhookTarget("prod", "deploy/rad.json"), target);
    }

    [Fact]
    public void The_query_chooses_only_where_the_server_allows_it()
    {
        var open = new WebhookOptions { Repositories = Bound.Repositories, AllowQueryTargets = true };
        var (target, _, _) = WebhookTarget.Resolve(open, "https://github.com/org/app.git", Query(("cluster", "staging")));
        Assert.Equal(new WebhookTarget("staging", "deploy/rad.json"), target);
    }
}
