using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Dedao.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit.Abstractions;

namespace Dedao.EndToEnd.Tests;

[Collection(Platform.Name)]
public sealed class PlatformTests(PlatformFixture platform, ITestOutputHelper output)
{
    [Fact]
    public void Every_resource_is_running_and_healthy()
    {
        output.WriteLine($"start to every resource healthy: {platform.SecondsToHealthy:0.0} s");

        var shown = platform.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Select(r => Snapshot(r.Name))
            .Where(snapshot => !snapshot.IsHidden).ToList();
        Assert.All(shown, snapshot =>
        {
            Assert.Equal(KnownResourceStates.Running, snapshot.State?.Text);
            Assert.Equal(HealthStatus.Healthy, snapshot.HealthStatus);
        });
        Assert.All(PlatformResources.All, name => Assert.False(Snapshot(name).IsHidden, $"{name} is hidden"));

        Assert.Equal("Project", Snapshot("passport").ResourceType);
        Assert.Contains(Snapshot("gateway").Urls, url => url.Url.StartsWith("http://localhost:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_catalog_is_served_through_the_gateway()
    {
        var columns = await GetJsonAsync("/api/v1/columns?limit=5");
        var first = columns.GetProperty("items")[0];
        Assert.Equal(5, columns.GetProperty("items").GetArrayLength());

        var home = await GetJsonAsync($"/api/v1/columns/{first.GetProperty("id")}");
        Assert.Equal(first.GetProperty("title").GetString(), home.GetProperty("title").GetString());
        Assert.False(home.GetProperty("subscribed").GetBoolean());
        Assert.True(home.GetProperty("articles").GetArrayLength() >= 10);

        using var v1 = await platform.Gateway.GetAsync($"/api/v1/columns/{first.GetProperty("id")}");
        Assert.True(v1.Headers.Contains("Deprecation") && v1.Headers.Contains("Sunset"), "v1 of the column home page is not marked deprecated");

        var courses = await GetJsonAsync("/api/v1/courses");
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
        var (_, phone, token) = await Readers.SignUpAsync(platform.Gateway);

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
    public async Task A_path_no_service_owns_is_404_with_or_without_a_token()
    {
        using var stranger = await platform.Gateway.GetAsync("/api/v1/nothing-here");
        using var reader = platform.App.CreateHttpClient("gateway");
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await Readers.SignUpAsync(platform.Gateway)).Token);
        using var known = await reader.GetAsync("/api/v1/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, known.StatusCode);
    }

    /// <summary>
    /// The testing builder runs no dashboard, so here the proof is that Aspire points every service's exporter somewhere
    /// and names it; that traces really arrive is the dashboard browser test's to show.
    /// </summary>
    [Fact]
    public void Every_service_is_told_where_to_export_telemetry_and_under_which_name()
    {
        foreach (var service in PlatformResources.Services)
        {
            var environment = Snapshot(service).EnvironmentVariables.Where(v => v.IsFromSpec).ToDictionary(v => v.Name, v => v.Value);
            Assert.True(Uri.TryCreate(environment.GetValueOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT"), UriKind.Absolute, out _),
                $"{service} has no OTLP endpoint: {string.Join(", ", environment.Keys.Order())}");
            Assert.Equal(service, environment.GetValueOrDefault("OTEL_SERVICE_NAME"));
        }
    }

    /// <summary>
    /// The JIT recompiles, optimized, only what runs 256 times (the runtime reads hexadecimal), not the 30 of its default:
    /// what a start ran thirty times and never again kept every service compiling for half a minute after it was healthy.
    /// </summary>
    [Fact]
    public void Every_service_is_recompiled_optimized_only_for_what_runs_often()
    {
        foreach (var service in PlatformResources.Services.Append("pay-sandbox"))
        {
            var environment = Snapshot(service).EnvironmentVariables.Where(v => v.IsFromSpec).ToDictionary(v => v.Name, v => v.Value);
            Assert.Equal("100", environment.GetValueOrDefault("DOTNET_TC_CallCountThreshold"));
        }
    }

    /// <summary>Aspire's default would be <c>dotnet run</c>, a second process per service that evaluates its project at every start.</summary>
    [Fact]
    public void Every_service_runs_as_its_own_build_output_from_its_project_folder()
    {
        foreach (var service in PlatformResources.Services)
        {
            var project = $"Dedao.{char.ToUpperInvariant(service[0])}{service[1..]}";
            var process = ServiceProcess.Of(Snapshot(service));
            var executable = process.CommandLine.Split(' ')[0];
            Assert.True(Path.GetFileName(executable) == project && executable.Contains("/bin/", StringComparison.Ordinal),
                $"{service} runs as {process.CommandLine}");
            Assert.True(File.Exists(Path.Combine(process.WorkingDirectory, $"{project}.csproj")),
                $"{service} runs in {process.WorkingDirectory}, not its project folder");
        }
    }

    [Fact]
    public async Task A_service_that_is_killed_is_restarted_and_serves_again()
    {
        var killed = ServiceProcess.Kill(platform.App, "comment");
        await ServiceProcess.WaitUntilRestartedAsync(platform.App, killed, TimeSpan.FromMinutes(2));

        Assert.False(killed.Process.IsAlive(), $"the killed process {killed.Process.Pid} is still there");
        Assert.NotEqual(killed.Process.Pid, ServiceProcess.Of(Snapshot("comment")).Pid);
        await Poll.UntilAsync(async () =>
        {
            using var comments = await platform.Gateway.GetAsync("/api/v1/comments?targetType=lesson&targetId=1");
            return comments.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30), () => "the restarted comment service does not answer through the gateway");
    }

    /// <summary>A read as a careful client makes it: a 503 from a service busy on a loaded machine is asked again.</summary>
    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Resend.UntilServedAsync(() => platform.Gateway.GetAsync(path));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private CustomResourceSnapshot Snapshot(string name)
    {
        Assert.True(platform.App.ResourceNotifications.TryGetCurrentState(name, out var current), $"{name} is not in the app model");
        return current.Snapshot;
    }
}
