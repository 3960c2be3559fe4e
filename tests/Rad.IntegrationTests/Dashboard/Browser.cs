using Microsoft.Playwright;
using Xunit;

namespace Rad.IntegrationTests.Dashboard;

/// <summary>
/// A real headless Chromium (Debian's, /usr/bin/chromium, which scripts/install-deps --test installs) driven by
/// Microsoft.Playwright, shared by one test class. Screenshots go to the state folder's screenshots/ (.rad/screenshots).
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    IPlaywright? _playwright;
    IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: run scripts/install-deps --test (it installs Debian's chromium).");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A fresh tab in a context of its own (its own sessionStorage); with <paramref name="token"/>, the tab starts with it stored.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900, string? token = null)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        if (token is not null)
            await context.AddInitScriptAsync($"sessionStorage.setItem('rad-api-token', {System.Text.Json.JsonSerializer.Serialize(token)});");
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        return page;
    }

    /// <summary>The whole page, or with <paramref name="fullPage"/> false what the window shows (long lists).</summary>
    public static async Task ScreenshotAsync(Stack stack, IPage page, string name, bool fullPage = true)
    {
        var folder = Path.Combine(stack.State, "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}.png"), FullPage = fullPage });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
