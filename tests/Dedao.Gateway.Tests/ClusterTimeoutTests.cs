using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Dedao.Gateway.Tests;

/// <summary>
/// A service gives up on a frozen dependency and answers its own 503 (with Retry-After) before the gateway stops
/// waiting for it; otherwise the client would get the gateway's bare 504 while the work went on. The services' side is
/// tested against frozen servers in the ServiceDefaults suite; this is the gateway's side of the same contract.
/// </summary>
public sealed class ClusterTimeoutTests
{
    [Fact]
    public void Every_cluster_waits_longer_than_a_service_s_request_budget_and_its_redis_timeout()
    {
        // The gateway's appsettings.json, copied next to this assembly from the referenced gateway project.
        var clusters = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false)
            .Build()
            .GetSection("ReverseProxy:Clusters")
            .GetChildren()
            .ToList();

        Assert.NotEmpty(clusters);
        foreach (var cluster in clusters)
        {
            var wait = cluster.GetValue<TimeSpan?>("HttpRequest:ActivityTimeout");
            Assert.True(wait > DependencyTimeouts.RequestBudget, $"cluster {cluster.Key} waits {wait}, a service's budget is {DependencyTimeouts.RequestBudget}");
            Assert.True(wait > TimeSpan.FromMilliseconds(DependencyTimeouts.RedisTimeoutMilliseconds), $"cluster {cluster.Key} waits {wait}");
        }
    }
}
