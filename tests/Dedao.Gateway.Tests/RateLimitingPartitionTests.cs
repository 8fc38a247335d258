using System.Net;
using System.Security.Claims;
using Dedao.Gateway.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dedao.Gateway.Tests;

public sealed class RateLimitingPartitionTests
{
    [Theory]
    [InlineData("203.0.113.7", "ip:203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "ip:203.0.113.7")]
    [InlineData("2001:db8:1:2:3:4:5:6", "ip:2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff:ffff:ffff:ffff", "ip:2001:db8:1:2::/64")]
    public void Anonymous_callers_are_keyed_by_the_peer_address(string address, string expected)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        context.Request.Headers["X-Forwarded-For"] = "198.51.100.1";

        Assert.Equal(expected, GatewayRateLimiterPolicy.PartitionKey(context));
    }

    [Fact]
    public void A_caller_without_an_address_shares_one_bucket() =>
        Assert.Equal("ip:unknown", GatewayRateLimiterPolicy.PartitionKey(new DefaultHttpContext()));

    [Fact]
    public void Signed_in_users_are_keyed_by_sub()
    {
        var context = new DefaultHttpContext
        {
            User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "42")], authenticationType: "Bearer")),
        };
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");

        Assert.Equal("user:42", GatewayRateLimiterPolicy.PartitionKey(context));
    }

    [Fact]
    public void A_sub_claim_of_an_unauthenticated_identity_is_ignored()
    {
        var context = new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "42")])) };
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");

        Assert.Equal("ip:203.0.113.7", GatewayRateLimiterPolicy.PartitionKey(context));
    }

    [Fact]
    public void Policies_bind_from_the_RateLimiting_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RateLimiting:RedisCoolDown"] = "00:00:10",
            ["RateLimiting:Policies:login:PermitLimit"] = "10",
            ["RateLimiting:Policies:login:TokensPerPeriod"] = "10",
            ["RateLimiting:Policies:login:ReplenishmentPeriod"] = "00:01:00",
            ["RateLimiting:Policies:standard:PermitLimit"] = "100",
            ["RateLimiting:Policies:standard:TokensPerPeriod"] = "100",
            ["RateLimiting:Policies:standard:ReplenishmentPeriod"] = "00:00:10",
        }).Build();
        using var services = new ServiceCollection()
            .Configure<GatewayRateLimitingOptions>(configuration.GetSection(GatewayRateLimitingOptions.SectionName))
            .BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<GatewayRateLimitingOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(10), options.RedisCoolDown);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.RedisTimeout);
        Assert.Equal(["login", "standard"], options.Policies.Keys.Order());
        Assert.Equal(10, options.Policies["login"].PermitLimit);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Policies["login"].ReplenishmentPeriod);
        Assert.Equal(100, options.Policies["standard"].TokensPerPeriod);
    }
}
