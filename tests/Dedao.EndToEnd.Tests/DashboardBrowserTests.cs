using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using Dedao.Testing;
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

    /// <summary>
    /// The gateway serves before the services behind it are healthy: six of them start at once once RabbitMQ is, and on
    /// two busy cores (CI runs other suites beside this one) that took over 74 s, so they get the platform's start budget.
    /// </summary>
    private static readonly LocatorAssertionsToBeVisibleOptions Started = new() { Timeout = (float)AppHostProcessTests.StartTimeout.TotalMilliseconds };

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
        // The dashboard's own Blazor circuit died once in CI while the platform started (an ObjectDisposedException in
        // its virtualised grid): the page said "An unhandled error has occurred. Reload" and showed no resource from then
        // on. A user reloads; so does the test, whenever that banner shows while it waits.
        await page.AddLocatorHandlerAsync(page.Locator("#blazor-error-ui"), async _ => await page.ReloadAsync());
        try
        {
            // The login URL carries the browser token; the dashboard answers with its resources page.
            await page.GotoAsync(login.ToString());
            await ExpectEveryResourceRunningAsync(page);

            using var gateway = new HttpClient { BaseAddress = apphost.Gateway };
            var token = (await Readers.SignUpAsync(gateway)).Token;
            await page.GotoAsync(new Uri(login, "/traces").ToString());
            // The login's own trace: the gateway also calls passport by itself, for its signing keys.
            var loginThroughBoth = page.GetByRole(AriaRole.Row)
                .Filter(new() { HasTextRegex = LoginRoute() })
                .Filter(new() { HasTextRegex = SpansOf("gateway") })
                .Filter(new() { HasTextRegex = SpansOf("passport") });
            await Expect(loginThroughBoth.First).ToBeVisibleAsync(Eventually);

            // A coin purchase is one trace from the payment request through every service the bus carries it to.
            await BuyAColumnWithCoinsAsync(apphost.Gateway, token);
            await page.GotoAsync(new Uri(login, "/traces").ToString());
            // The list shows the newest traces first and only so many: its filter finds the payment among the rest.
            await page.GetByTitle("Name filter").Locator("input").FillAsync("payments");
            var purchase = page.GetByRole(AriaRole.Row).Filter(new() { HasTextRegex = PaymentsRoute() });
            foreach (var service in new[] { "gateway", "pay", "coin", "order", "column" })
            {
                purchase = purchase.Filter(new() { HasTextRegex = SpansOf(service) });
            }

            await Expect(purchase.First).ToBeVisibleAsync(Eventually);
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
            await Expect(row.GetByRole(AriaRole.Gridcell, new() { Name = KnownResourceStates.Running, Exact = true })).ToBeVisibleAsync(Started);
        }

        // And whatever else the model holds on this machine (epmd runs only beside an executable RabbitMQ).
        var rows = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Gridcell) });
        foreach (var row in await rows.AllAsync())
        {
            await Expect(row.GetByRole(AriaRole.Gridcell, new() { Name = KnownResourceStates.Running, Exact = true })).ToBeVisibleAsync(Eventually);
        }
    }

    /// <summary>Coins for the first column through the sandbox, then the column with them, until the order is completed.</summary>
    private static async Task BuyAColumnWithCoinsAsync(Uri gateway, string token)
    {
        using var client = new HttpClient { BaseAddress = gateway };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        async Task<JsonElement> PostAsync(string path, object body, HttpStatusCode expected)
        {
            // A cold service may outlast the gateway's 2 s: the same key makes a resend safe.
            var key = Guid.NewGuid().ToString();
            using var response = await Resend.UntilServedAsync(() =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
                request.Headers.Add("Idempotency-Key", key);
                return client.SendAsync(request);
            });
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"POST {path}: {(int)response.StatusCode} {text}");
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }

        async Task UntilAsync(string path, string property, string expected) => await Poll.UntilAsync(
            async () => (await client.GetFromJsonAsync<JsonElement>(path)).GetProperty(property).ToString() == expected,
            TimeSpan.FromSeconds(60), () => $"{path} {property} {expected}");

        var topup = await PostAsync("/api/v1/coins/topups", new { coins = 99 }, HttpStatusCode.Created);
        await PostAsync($"/api/v1/payments/sandbox/{topup.GetProperty("paymentId").GetInt64()}/confirm", new { result = "success" },
            HttpStatusCode.Accepted);
        await UntilAsync("/api/v1/coins/wallet", "balance", "99");
        var orderId = (await PostAsync("/api/v1/orders", new { productType = "column", productId = 1 }, HttpStatusCode.Created))
            .GetProperty("orderId").GetInt64();
        await PostAsync("/api/v1/payments", new { orderId, channel = "coin" }, HttpStatusCode.OK);
        await UntilAsync($"/api/v1/orders/{orderId}", "status", "completed");
    }

    /// <summary>A trace is named for its first span: the gateway's route, here a template such as /api/{version…}/passport/login.</summary>
    [GeneratedRegex(@"POST \S*/passport/login\b")]
    private static partial Regex LoginRoute();

    /// <summary>The payment itself, not a sandbox confirmation under it, whatever template the gateway's route has.</summary>
    [GeneratedRegex(@"POST \S*/payments(?!/sandbox)")]
    private static partial Regex PaymentsRoute();

    /// <summary>
    /// The trace list names each resource a trace passed through as "name (span count)"; a replica's name has a suffix
    /// (column runs as two).
    /// </summary>
    private static Regex SpansOf(string resource) => new($@"\b{resource}(-\w+)? \(\d+\)");

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
