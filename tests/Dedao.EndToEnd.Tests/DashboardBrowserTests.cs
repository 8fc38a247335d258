using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Dedao.EndToEnd.Tests;

/// <summary>
/// The Aspire dashboard of the AppHost a user runs, in Debian's chromium: what it shows of the platform and of its
/// telemetry. The same run then proves SIGTERM stops everything, which saves the suite a boot of the platform.
/// </summary>
public sealed partial class DashboardBrowserTests(ITestOutputHelper output)
{
    /// <summary>The dashboard is a Blazor app fed live: states and traces arrive after the page has loaded.</summary>
    private static readonly LocatorAssertionsToBeVisibleOptions Eventually = new() { Timeout = 60_000 };

    [Fact]
    public async Task The_dashboard_shows_every_resource_running_and_a_login_traced_through_gateway_and_passport_then_sigterm_stops_it_all()
    {
        await using var apphost = await AppHostProcess.StartServingAsync(output, AppHostProcessTests.StartTimeout);
        var login = await apphost.DashboardLogin.WaitAsync(TimeSpan.FromSeconds(30));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            // Playwright cannot download its own browsers here.
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        // Tall enough for every resource row to be in a failure's screenshot.
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 1400 } });
        try
        {
            // The login URL carries the browser token; the dashboard answers with its resources page.
            await page.GotoAsync(login.ToString());
            await ExpectEveryResourceRunningAsync(page);

            await LogInThroughTheGatewayAsync(apphost.Gateway);
            await page.GotoAsync(new Uri(login, "/traces").ToString());
            // The login's own trace: the gateway also calls passport by itself, for its signing keys.
            var loginThroughBoth = page.GetByRole(AriaRole.Row)
                .Filter(new() { HasTextRegex = LoginRoute() })
                .Filter(new() { HasTextRegex = SpansOf("gateway") })
                .Filter(new() { HasTextRegex = SpansOf("passport") });
            await Expect(loginThroughBoth.First).ToBeVisibleAsync(Eventually);
        }
        catch
        {
            await SaveScreenshotAsync(page);
            throw;
        }

        await AppHostProcessTests.AssertSigtermStopsEverythingAsync(apphost, output);
    }

    private static async Task ExpectEveryResourceRunningAsync(IPage page)
    {
        foreach (var name in PlatformResources.All)
        {
            // A name cell's title is "<type>: <name>".
            var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.Locator($"td[title$=': {name}']") });
            await Expect(row.GetByRole(AriaRole.Gridcell, new() { Name = KnownResourceStates.Running, Exact = true })).ToBeVisibleAsync(Eventually);
        }

        // And whatever else the model holds on this machine (epmd runs only beside an executable RabbitMQ).
        var rows = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Gridcell) });
        foreach (var row in await rows.AllAsync())
        {
            await Expect(row.GetByRole(AriaRole.Gridcell, new() { Name = KnownResourceStates.Running, Exact = true })).ToBeVisibleAsync(Eventually);
        }
    }

    private static async Task LogInThroughTheGatewayAsync(Uri gateway)
    {
        using var client = new HttpClient { BaseAddress = gateway };
        var credentials = new { phone = $"135{Random.Shared.Next(10_000_000, 99_999_999)}", password = "correct horse battery", nickname = "读者" };
        using var register = await client.PostAsJsonAsync("/api/v1/passport/register", credentials);
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        using var loggedIn = await client.PostAsJsonAsync("/api/v1/passport/login", new { credentials.phone, credentials.password });
        Assert.Equal(HttpStatusCode.OK, loggedIn.StatusCode);
    }

    /// <summary>A trace is named for its first span: the gateway's route, here a template such as /api/{version…}/passport/login.</summary>
    [GeneratedRegex(@"POST \S*/passport/login\b")]
    private static partial Regex LoginRoute();

    /// <summary>The trace list names each resource a trace passed through as "name (span count)".</summary>
    private static Regex SpansOf(string resource) => new($@"\b{resource} \(\d+\)");

    private async Task SaveScreenshotAsync(IPage page)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "screenshots", $"{nameof(DashboardBrowserTests)}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.png");
        try
        {
            await page.ScreenshotAsync(new() { Path = path, FullPage = true });
            output.WriteLine($"screenshot of {page.Url}: {path}");
        }
        catch (PlaywrightException e)
        {
            // The failure being reported matters more than its picture.
            output.WriteLine($"no screenshot of {page.Url}: {e.Message}");
        }
    }
}
