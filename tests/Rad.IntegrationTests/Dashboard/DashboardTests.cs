using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Rad.Contracts;
using Rad.Status.Saga;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Rad.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard in a real browser against the running stack: deployments started by the suite appear and change
/// without a reload, their timelines and failures show, applications roll back from their history, clusters answer,
/// the token prompt guards a protected API, and a stopped API is reported.
/// </summary>
[Collection(nameof(StackCollection))]
public sealed class DashboardTests(Stack stack, Browser browser) : IClassFixture<Browser>
{
    static readonly string? StackToken = Environment.GetEnvironmentVariable("RAD_API_TOKEN") is { Length: > 0 } t ? t : null;
    static readonly TimeSpan DeploymentLimit = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_deployment_started_by_the_suite_appears_turns_Succeeded_without_a_reload_and_shows_every_stage()
    {
        var name = Stack.UniqueName("ui");
        var port = Stack.FreePort();
        var repository = await stack.PublishRepoAsync(name, Repos.WebApp(name, port));
        var page = await browser.NewPageAsync(token: StackToken);
        await page.GotoAsync(new Uri(stack.Api, "/").ToString());
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Deployments");
        await MarkAsync(page);

        var id = await stack.DeployAsync(repository);
        var row = page.Locator($"tr[data-id='{id}']");
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(row).ToHaveAttributeAsync("data-state", "Succeeded", new() { Timeout = (float)DeploymentLimit.TotalMilliseconds });
        await AssertNotReloadedAsync(page);
        var view = await stack.GetAsync(id);
        Assert.Equal("Succeeded", view.State);
        await Expect(row).ToContainTextAsync(view.Commit![..12]);
        await Expect(row).ToContainTextAsync(repository);
        await Expect(row.Locator("td[data-label='Triggered by']")).ToHaveTextAsync(view.Trigger!);
        await Expect(row.Locator("td[data-label='Cluster']")).ToHaveTextAsync("local");
        await Browser.ScreenshotAsync(stack, page, "deployments", fullPage: false);

        await row.Locator("a").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"#/deployments/{id}$"));
        await AssertTimelineAsync(page, view);
        var application = Assert.Single(view.Applications);
        await Expect(page.Locator($"#applications a[href='{application.Endpoint}']")).ToBeVisibleAsync();
        await Expect(page.Locator("#log")).ToContainTextAsync($"[COMPLETED]: {StageNames.Deploy(name)}");
        await Browser.ScreenshotAsync(stack, page, "deployment");
    }

    [Fact]
    public async Task A_running_deployment_updates_its_timeline_live_and_when_it_fails_shows_the_reason()
    {
        var name = Stack.UniqueName("ui-fail");
        // A build that takes a few seconds before it fails, so the page sees it running first.
        var repository = await stack.PublishRepoAsync(name, Repos.WebApp(name, Stack.FreePort(), extraDockerLines: "RUN sleep 4 && echo 'no such tool' >&2 && exit 3"));
        var id = await stack.DeployAsync(repository);
        var page = await browser.NewPageAsync(token: StackToken);
        await page.GotoAsync(new Uri(stack.Api, $"/#/deployments/{id}").ToString());
        await Expect(page.Locator("li.stage[data-state='InProgress']").First).ToBeVisibleAsync();
        await MarkAsync(page);

        await Expect(page.Locator("#deployment-error")).ToBeVisibleAsync(new() { Timeout = (float)DeploymentLimit.TotalMilliseconds });
        await AssertNotReloadedAsync(page);
        var view = await stack.GetAsync(id);
        Assert.Equal("Failed", view.State);
        await Expect(page.Locator("#facts .badge")).ToHaveTextAsync("Failed");
        await Expect(page.Locator("#deployment-error")).ToContainTextAsync(FirstLine(view.Error!));
        var failed = view.Stages.First(s => s.State == StageStates.Failed);
        var failedStage = page.Locator($"li.stage[data-stage=\"{failed.Name}\"]");
        await Expect(failedStage).ToHaveAttributeAsync("data-state", "Failed");
        await Expect(failedStage.Locator(".stage-message.error")).ToContainTextAsync(FirstLine(failed.Message!));
        await AssertTimelineAsync(page, view);
        await Browser.ScreenshotAsync(stack, page, "deployment-failed");
    }

    [Fact]
    public async Task Applications_show_what_runs_and_roll_back_from_the_history_after_a_confirmation()
    {
        var name = Stack.UniqueName("ui-app");
        var port = Stack.FreePort();
        var repository = await stack.PublishRepoAsync(name, Repos.WebApp(name, port, greeting: "one"));
        var first = await stack.WaitForEndAsync(await stack.DeployAsync(repository), DeploymentLimit);
        await stack.PublishRepoAsync(name, Repos.WebApp(name, port, greeting: "two"));
        var second = await stack.WaitForEndAsync(await stack.DeployAsync(repository), DeploymentLimit);
        Assert.Equal(("Succeeded", "Succeeded"), (first.State, second.State));

        var page = await browser.NewPageAsync(token: StackToken);
        await page.GotoAsync(new Uri(stack.Api, "/#/applications").ToString());
        var row = page.Locator($"tr[data-application='{name}']");
        await Expect(row.Locator("td[data-label='Revision']")).ToContainTextAsync("2");
        await Expect(row.Locator("td[data-label='Commit']")).ToHaveTextAsync(second.Commit![..12]);
        await Expect(row.Locator("td[data-label='Replicas']")).ToHaveTextAsync("1/1");
        await Expect(row.Locator("td[data-label='Health']")).ToHaveTextAsync("Healthy");
        await page.Locator("#cluster-local").ScrollIntoViewIfNeededAsync();
        await Browser.ScreenshotAsync(stack, page, "applications", fullPage: false);

        await row.Locator($"a[href='#/applications/local/{name}']").ClickAsync();
        await Expect(page.Locator("tr[data-revision='2'] td[data-label='Revision']")).ToContainTextAsync("current");
        var rollback = page.Locator("tr[data-revision='1'] button");
        await Expect(rollback).ToHaveTextAsync("Roll back to 1");
        await Expect(page.Locator("tr[data-revision='2'] button")).ToHaveCountAsync(0);

        // Cancelled: nothing happens.
        await rollback.ClickAsync();
        await Expect(page.Locator("#confirm")).ToBeVisibleAsync();
        await Expect(page.Locator("#confirm-text")).ToContainTextAsync($"{name} on cluster local goes back to revision 1");
        await Browser.ScreenshotAsync(stack, page, "rollback-confirmation");
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#confirm")).ToBeHiddenAsync();
        Assert.EndsWith($"#/applications/local/{name}", page.Url);

        // Confirmed: a rollback deployment, followed on its own page.
        await rollback.ClickAsync();
        await page.Locator("#confirm-ok").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#/deployments/[0-9a-f-]{36}$"));
        await Expect(page.Locator("#facts .badge")).ToHaveTextAsync("Succeeded", new() { Timeout = (float)DeploymentLimit.TotalMilliseconds });
        var rollbackId = Guid.Parse(page.Url[^36..]);
        var done = await stack.GetAsync(rollbackId);
        Assert.StartsWith("rollback by", done.Trigger);
        Assert.Equal(first.Commit, done.Commit);
        Assert.Equal("one", (await stack.Http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim());
    }

    [Fact]
    public async Task Clusters_say_whether_they_answer_and_pages_are_reached_by_keyboard()
    {
        var page = await browser.NewPageAsync(token: StackToken);
        await page.GotoAsync(new Uri(stack.Api, "/").ToString());
        await Expect(page.Locator("h1")).ToHaveTextAsync("Deployments");
        for (var presses = 0; presses < 10 && await page.EvaluateAsync<string>("() => document.activeElement?.textContent ?? ''") != "Clusters"; presses++)
            await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex("#/clusters$"));

        var local = page.Locator("tr[data-cluster='local']");
        await Expect(local.Locator("td[data-label='Answers']")).ToContainTextAsync("Answers");
        await Expect(local.Locator("td[data-label='Kind']")).ToHaveTextAsync("swarm");
        await Browser.ScreenshotAsync(stack, page, "clusters");
    }

    [Fact]
    public async Task On_a_phone_width_window_nothing_runs_off_the_side()
    {
        var latest = (await stack.Http.GetFromJsonAsync<List<DeploymentView>>(new Uri(stack.Api, "/api/deployments?limit=1"), Stack.Json))!;
        var page = await browser.NewPageAsync(390, 844, StackToken);
        await page.GotoAsync(new Uri(stack.Api, "/").ToString());
        await Expect(page.Locator("h1")).ToHaveTextAsync("Deployments");
        await AssertFitsAsync(page);
        await Browser.ScreenshotAsync(stack, page, "phone-deployments", fullPage: false);
        if (latest.Count == 1)
        {
            await page.GotoAsync(new Uri(stack.Api, $"/#/deployments/{latest[0].Id}").ToString());
            await Expect(page.Locator("li.stage").First).ToBeVisibleAsync();
            await AssertFitsAsync(page);
            await Browser.ScreenshotAsync(stack, page, "phone-deployment");
        }
    }

    [Fact]
    public async Task A_protected_API_asks_for_the_token_once_per_tab_and_a_stopped_API_is_reported()
    {
        var token = "ui-" + Guid.NewGuid().ToString("N");
        var status = await SecondStatusService.StartHealthyAsync(stack, token);
        try
        {
            var page = await browser.NewPageAsync();
            await page.GotoAsync(status.Api.ToString());
            await Expect(page.Locator("#token-title")).ToHaveTextAsync("API token needed");
            await Browser.ScreenshotAsync(stack, page, "token-prompt");

            await page.Locator("#token").FillAsync(token + "x");
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.Locator(".token-prompt")).ToContainTextAsync("The token was refused");
            Assert.DoesNotContain(token, await page.ContentAsync());

            await page.Locator("#token").FillAsync(token);
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.Locator("h1")).ToHaveTextAsync("Deployments");
            await Expect(page.Locator("#live")).ToHaveTextAsync("live");
            await page.ReloadAsync();
            await Expect(page.Locator("h1")).ToHaveTextAsync("Deployments");
            await Expect(page.Locator("#token-title")).ToHaveCountAsync(0);

            var otherTab = await browser.NewPageAsync();
            await otherTab.GotoAsync(status.Api.ToString());
            await Expect(otherTab.Locator("#token-title")).ToBeVisibleAsync();

            status.Dispose();
            await Expect(page.Locator("#banner")).ToContainTextAsync("No answer from the RAD API", new() { Timeout = 30_000 });
            await Browser.ScreenshotAsync(stack, page, "api-down");
        }
        finally
        {
            status.Dispose();
        }
    }

    static async Task AssertTimelineAsync(IPage page, DeploymentView view)
    {
        await Expect(page.Locator("li.stage")).ToHaveCountAsync(view.Stages.Count);
        foreach (var stage in view.Stages)
            await Expect(page.Locator($"li.stage[data-stage=\"{stage.Name}\"]")).ToHaveAttributeAsync("data-state", stage.State);
        // The page redraws the timeline as events come; wait (bounded) for a drawing where every bar can be seen.
        await page.WaitForFunctionAsync(
            "count => { const bars = [...document.querySelectorAll('li.stage .bar')]; return bars.length === count && bars.every(b => b.getBoundingClientRect().width >= 3); }",
            view.Stages.Count, new() { Timeout = 10_000 });
    }

    static Task MarkAsync(IPage page) => page.EvaluateAsync("() => { window.radNotReloaded = true; }");

    static async Task AssertNotReloadedAsync(IPage page) =>
        Assert.True(await page.EvaluateAsync<bool>("() => window.radNotReloaded === true"), "the page was reloaded");

    static async Task AssertFitsAsync(IPage page)
    {
        var (scroll, inner) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("() => window.innerWidth"));
        Assert.True(scroll <= inner, $"the page is {scroll}px wide in a {inner}px window");
    }

    static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
