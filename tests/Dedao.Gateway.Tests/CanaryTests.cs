using System.Net.Http.Json;
using Dedao.Testing;

namespace Dedao.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class CanaryTests(GatewayFixture fixture)
{
    private static readonly TimeSpan ReloadDeadline = TimeSpan.FromSeconds(20);

    private async Task<double> CanaryShareAsync(int requests)
    {
        var canary = 0;
        for (var i = 0; i < requests; i++)
        {
            var echo = await fixture.Gateway.GetFromJsonAsync<EchoResponse>("/api/v1/columns");
            canary += echo!.Backend == "canary" ? 1 : 0;
        }

        return canary * 100.0 / requests;
    }

    [Fact]
    public async Task A_canary_split_is_close_to_its_configured_percentage_and_a_header_overrides_it()
    {
        await fixture.WriteOverridesAsync(canaryPercent: 30);
        await Poll.UntilAsync(async () => await CanaryShareAsync(50) is > 0 and < 100, ReloadDeadline, () => "the gateway splits columns-read");

        var share = await CanaryShareAsync(400);

        // 400 draws at 30 %: the standard deviation is 2.3 points, so 20–40 fails about once in 10^5 runs.
        Assert.InRange(share, 20, 40);
        using var always = new HttpRequestMessage(HttpMethod.Get, "/api/v1/columns") { Headers = { { "X-Canary", "always" } } };
        using var never = new HttpRequestMessage(HttpMethod.Get, "/api/v1/columns") { Headers = { { "X-Canary", "never" } } };
        Assert.Equal("canary", (await (await fixture.Gateway.SendAsync(always)).Content.ReadFromJsonAsync<EchoResponse>())!.Backend);
        Assert.Equal("stable", (await (await fixture.Gateway.SendAsync(never)).Content.ReadFromJsonAsync<EchoResponse>())!.Backend);
    }

    [Fact]
    public async Task A_new_split_is_taken_from_configuration_without_a_restart()
    {
        await fixture.WriteOverridesAsync(canaryPercent: 100);
        await Poll.UntilAsync(async () => await CanaryShareAsync(20) == 100, ReloadDeadline, () => "the gateway takes canaryPercent 100");
        await fixture.WriteOverridesAsync(canaryPercent: 0);
        await Poll.UntilAsync(async () => await CanaryShareAsync(20) == 0, ReloadDeadline, () => "the gateway takes canaryPercent 0");
        await fixture.WriteOverridesAsync(canaryPercent: 30);
    }
}
