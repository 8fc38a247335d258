using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace Dedao.ServiceDefaults.Tests;

[Collection(BackingServers.Name)]
public sealed class ClientIntegrationTests(BackingServersFixture servers)
{
    private IHost BuildHost(Action<HostApplicationBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        foreach (var name in new[] { "testdb", "redis", "messaging" })
        {
            builder.Configuration[$"ConnectionStrings:{name}"] = servers.App.GetConnectionString(name);
        }

        configure(builder);
        return builder.Build();
    }

    private static async Task<HealthReport> HealthOf(IHost host) =>
        await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

    [Fact]
    public async Task AddMySqlDbContext_reads_and_writes_the_database_and_reports_healthy()
    {
        using var host = BuildHost(b => b.AddMySqlDbContext<NotesContext>("testdb"));
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
            await db.Database.EnsureCreatedAsync();
            db.Notes.Add(new Note { Text = "专栏 first" });
            await db.SaveChangesAsync();
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
            Assert.Contains(await db.Notes.Select(n => n.Text).ToListAsync(), text => text == "专栏 first");
        }

        var health = await HealthOf(host);
        Assert.Equal(HealthStatus.Healthy, health.Entries["testdb"].Status);
    }

    [Fact]
    public async Task AddRedisClient_shares_one_multiplexer_that_talks_to_redis()
    {
        using var host = BuildHost(b => b.AddRedisClient("redis"));
        var redis = host.Services.GetRequiredService<IConnectionMultiplexer>();
        Assert.Same(redis, host.Services.GetRequiredService<IConnectionMultiplexer>());

        var key = $"test:{Guid.NewGuid():N}";
        await redis.GetDatabase().StringSetAsync(key, "value", TimeSpan.FromMinutes(1));

        Assert.Equal("value", (string?)await redis.GetDatabase().StringGetAsync(key));
        Assert.Equal(HealthStatus.Healthy, (await HealthOf(host)).Entries["redis"].Status);
    }

    [Fact]
    public async Task AddRabbitMQClient_connects_and_carries_a_message()
    {
        using var host = BuildHost(b => b.AddRabbitMQClient("messaging"));
        var connection = host.Services.GetRequiredService<IConnection>();
        await using var channel = await connection.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync(exclusive: true)).QueueName;

        await channel.BasicPublishAsync("", queue, Encoding.UTF8.GetBytes("留言"));

        var message = await Eventually(async () => await channel.BasicGetAsync(queue, autoAck: true));
        Assert.Equal("留言", Encoding.UTF8.GetString(message.Body.Span));
        Assert.Equal(HealthStatus.Healthy, (await HealthOf(host)).Entries["messaging"].Status);
    }

    [Fact]
    public async Task A_health_check_reports_a_server_that_does_not_answer()
    {
        var builder = Host.CreateApplicationBuilder();
        using var unused = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        unused.Start();
        var port = ((System.Net.IPEndPoint)unused.LocalEndpoint).Port;
        unused.Stop();
        builder.Configuration["ConnectionStrings:redis"] = $"127.0.0.1:{port},connectTimeout=500";
        builder.AddRedisClient("redis");
        using var host = builder.Build();

        Assert.Equal(HealthStatus.Unhealthy, (await HealthOf(host)).Entries["redis"].Status);
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("messaging")]
    [InlineData("testdb")]
    public void A_missing_connection_string_names_the_key_to_set(string name)
    {
        var builder = Host.CreateApplicationBuilder();
        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            switch (name)
            {
                case "redis": builder.AddRedisClient(name); break;
                case "messaging": builder.AddRabbitMQClient(name); break;
                default: builder.AddMySqlDbContext<NotesContext>(name); break;
            }
        });

        Assert.Contains($"ConnectionStrings:{name}", error.Message, StringComparison.Ordinal);
    }

    private static async Task<T> Eventually<T>(Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("Nothing arrived within 10 s.");
    }
}

public sealed class Note
{
    public int Id { get; set; }

    public required string Text { get; set; }
}

public sealed class NotesContext(DbContextOptions<NotesContext> options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();
}
