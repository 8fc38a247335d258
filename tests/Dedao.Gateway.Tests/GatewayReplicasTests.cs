using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting;
using Dedao.Testing;

namespace Dedao.Gateway.Tests;

/// <summary>Two real gateway processes behind one Redis: the limits are the platform's, not each replica's.</summary>
public sealed class GatewayReplicasTests : IAsyncLifetime
{
    private const int LoginLimit = 10;
    // Two resources rather than WithReplicas(2): Aspire puts replicas behind one round-robin proxy, and each replica
    // has to be reached on its own to see that it counts alone once Redis is gone.
    private static readonly string[] Replicas = ["gateway-a", "gateway-b"];
    private RateLimitingRedisServer _redis = null!;
    private EchoBackend _backend = null!;
    private DistributedApplication _app = null!;

    public async Task InitializeAsync()
    {
        _redis = await RateLimitingRedisServer.StartAsync();
        _backend = await EchoBackend.StartAsync("passport");
        // An external Redis, started by the test so that it can kill it as a crash would.
        var builder = TestAppModel.CreateEmpty($"--ConnectionStrings:redis={_redis.ConnectionString}");
        var redis = builder.AddRedisServer("redis");
        foreach (var replica in Replicas)
        {
            builder.AddProject<Projects.Dedao_Gateway>(replica)
                .WithHttpEndpoint()
                .WithHttpHealthCheck("/health")
                .WithReference(redis).WaitFor(redis)
                .WithEnvironment("services__passport__http__0", _backend.Url)
                // What is tested is sharing, then counting alone once Redis is gone (refused at once), not how long a
                // replica waits on a slow Redis: on a loaded machine 250 ms passes, and the replica counted alone too early.
                .WithEnvironment("RateLimiting__RedisTimeout", "00:00:05");
        }

        _app = builder.Build();
        await _app.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        foreach (var replica in Replicas)
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(replica, timeout.Token);
        }
    }

    private HttpClient Replica(int index) => GatewayClient.For(_app, Replicas[index]);

    private static async Task<HttpStatusCode> LoginAsync(HttpClient replica)
    {
        using var response = await replica.PostAsJsonAsync("/api/v1/passport/login", new { phone = "13800000000", password = "x" });
        return response.StatusCode;
    }

    [Fact]
    public async Task Two_replicas_share_one_limit_and_each_limits_alone_while_redis_is_away()
    {
        using var first = Replica(0);
        using var second = Replica(1);

        var shared = new List<HttpStatusCode>();
        for (var i = 0; i < LoginLimit; i++)
        {
            shared.Add(await LoginAsync(i % 2 == 0 ? first : second));
        }

        Assert.All(shared, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync(first));
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync(second));

        _redis.Kill();

        // Redis's refusal stands until its Retry-After (the shared bucket would not refill sooner); then each replica
        // counts on its own, from a full local bucket: limited, but not refused outright, never a 500.
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync(first));
        await Poll.UntilAsync(async () => await LoginAsync(first) == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), () => "the first replica admits from its local bucket once the refusal's Retry-After has passed");
        var alone = new List<HttpStatusCode>();
        for (var i = 1; i < LoginLimit + 1; i++)
        {
            alone.Add(await LoginAsync(first));
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, LoginLimit - 1), alone.Take(LoginLimit - 1));
        Assert.Equal(HttpStatusCode.TooManyRequests, alone[LoginLimit - 1]);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _backend.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
