using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dedao.Hosting.Orchestration;
using Xunit.Abstractions;

namespace Dedao.EndToEnd.Tests;

[Collection(Platform.Name)]
public sealed class PlatformTests(PlatformFixture platform, ITestOutputHelper output)
{
    private static readonly string[] Services = ["gateway", "passport", "pay", "coin", "order", "course", "column", "comment"];
    private static readonly string[] Servers = ["mysql", "redis", "messaging"];
    private static readonly string[] Databases = ["passportdb", "paydb", "coindb", "orderdb", "coursedb", "columndb", "commentdb"];

    private static string NewPhone() => $"139{Random.Shared.Next(10_000_000, 99_999_999)}";

    /// <summary>Registers a new reader through the gateway and returns their access token.</summary>
    private async Task<string> LoginAsync(string? phone = null)
    {
        phone ??= NewPhone();
        using var register = await platform.Gateway.PostAsJsonAsync("/api/v1/passport/register",
            new { phone, password = "correct horse battery", nickname = "读者" });
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        using var login = await platform.Gateway.PostAsJsonAsync("/api/v1/passport/login", new { phone, password = "correct horse battery" });
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    [Fact]
    public async Task Every_resource_is_running_and_healthy_in_the_dashboard()
    {
        output.WriteLine($"launch to all healthy: {platform.SecondsToHealthy:0.0} s");
        var resources = await platform.Dashboard.GetFromJsonAsync<JsonElement[]>("/api/resources");

        var byName = resources!.ToDictionary(r => r.GetProperty("name").GetString()!);
        foreach (var name in Services.Concat(Servers).Concat(Databases))
        {
            Assert.True(byName.TryGetValue(name, out var resource), $"{name} is missing from the dashboard");
            Assert.Equal(KnownResourceStates.Running, resource.GetProperty("state").GetString());
            Assert.Equal("Healthy", resource.GetProperty("health").GetString());
        }

        Assert.Equal("Project", byName["passport"].GetProperty("type").GetString());
        Assert.StartsWith("http://localhost:", byName["gateway"].GetProperty("endpoints")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_catalog_is_served_through_the_gateway()
    {
        var columns = await platform.Gateway.GetFromJsonAsync<JsonElement>("/api/v1/columns?limit=5");
        var first = columns.GetProperty("items")[0];
        Assert.Equal(5, columns.GetProperty("items").GetArrayLength());

        var home = await platform.Gateway.GetFromJsonAsync<JsonElement>($"/api/v1/columns/{first.GetProperty("id")}");
        Assert.Equal(first.GetProperty("title").GetString(), home.GetProperty("title").GetString());
        Assert.False(home.GetProperty("subscribed").GetBoolean());
        Assert.True(home.GetProperty("articles").GetArrayLength() >= 10);

        using var v1 = await platform.Gateway.GetAsync($"/api/v1/columns/{first.GetProperty("id")}");
        Assert.True(v1.Headers.Contains("Deprecation") && v1.Headers.Contains("Sunset"), "v1 of the column home page is not marked deprecated");

        var courses = await platform.Gateway.GetFromJsonAsync<JsonElement>("/api/v1/courses");
        Assert.Equal(10, courses.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task The_passport_contract_is_readable_through_the_gateway()
    {
        var document = await platform.Gateway.GetFromJsonAsync<JsonElement>("/api/v1/passport/openapi/v1.json");

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/v1/passport/login", out _));
    }

    [Fact]
    public async Task Comments_are_served_through_the_gateway()
    {
        var comments = await platform.Gateway.GetFromJsonAsync<JsonElement>("/api/v1/comments?targetType=article&targetId=1");

        Assert.Equal(JsonValueKind.Array, comments.GetProperty("items").ValueKind);
    }

    [Fact]
    public async Task A_reader_registers_logs_in_and_reaches_the_protected_services()
    {
        var phone = NewPhone();
        var token = await LoginAsync(phone);

        Assert.Equal(HttpStatusCode.Unauthorized, (await platform.Gateway.GetAsync("/api/v1/orders")).StatusCode);

        using var reader = platform.App.CreateHttpClient("gateway");
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await reader.GetFromJsonAsync<JsonElement>("/api/v1/passport/me");
        Assert.Equal($"{phone[..3]}****{phone[^4..]}", me.GetProperty("phone").GetString());
        using var ordersResponse = await reader.GetAsync("/api/v1/orders");
        Assert.True(ordersResponse.IsSuccessStatusCode, $"{(int)ordersResponse.StatusCode}: {await ordersResponse.Content.ReadAsStringAsync()}");
        var orders = await ordersResponse.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, orders.GetProperty("items").GetArrayLength());
        var wallet = await reader.GetFromJsonAsync<JsonElement>("/api/v1/coins/wallet");
        Assert.Equal(0, wallet.GetProperty("balance").GetInt64());
        var payment = await reader.GetAsync($"/api/v1/payments/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, payment.StatusCode);
        Assert.Equal("application/problem+json", payment.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_path_no_service_owns_is_401_to_strangers_and_404_to_readers()
    {
        using var stranger = await platform.Gateway.GetAsync("/api/v1/nothing-here");
        using var reader = platform.App.CreateHttpClient("gateway");
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await LoginAsync());
        using var known = await reader.GetAsync("/api/v1/nothing-here");

        Assert.Equal(HttpStatusCode.Unauthorized, stranger.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, known.StatusCode);
    }

    [Fact]
    public async Task The_services_export_telemetry_to_the_dashboard()
    {
        await platform.Gateway.GetAsync("/api/v1/columns");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        long traces = 0;
        while (traces == 0 && DateTime.UtcNow < deadline)
        {
            var telemetry = await platform.Dashboard.GetFromJsonAsync<Dictionary<string, long>>("/api/telemetry");
            traces = telemetry!.GetValueOrDefault("traces");
            await Task.Delay(200);
        }

        Assert.True(traces > 0, "no trace export reached the dashboard within 30 s");
    }

    [Fact]
    public async Task A_service_that_crashes_is_restarted_and_serves_again()
    {
        var before = platform.App.ResourceNotifications.Snapshots().Single(s => s.Name == "comment");
        System.Diagnostics.Process.GetProcessById(before.Pid!.Value).Kill();

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await platform.App.ResourceNotifications.WaitForResourceAsync("comment",
            s => s.Restarts == before.Restarts + 1 && s.State == KnownResourceStates.Running && s.Health == "Healthy", timeout.Token);

        var after = platform.App.ResourceNotifications.Snapshots().Single(s => s.Name == "comment");
        Assert.NotEqual(before.Pid, after.Pid);
        var comments = await platform.Gateway.GetAsync("/api/v1/comments?targetType=lesson&targetId=1");
        Assert.Equal(HttpStatusCode.OK, comments.StatusCode);
    }
}
