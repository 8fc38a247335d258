using Aspire.Hosting;
using Dedao.Testing;

namespace Dedao.Hosting.Tests;

/// <summary>MariaDB, Redis and RabbitMQ run by DCP from the binaries installed here, once for the lock-down tests.</summary>
public sealed class ExecutableServersFixture : IAsyncLifetime
{
    public static readonly string[] Servers = ["mysql", "redis", "messaging", "messaging-epmd"];

    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("Not started.");

    public StateFolder State { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = TestAppModel.CreateEmpty("--AppHost:Runtime=executable");
        State = StateFolder.For(builder);
        builder.AddMySql("mysql").AddDatabase("lockdb");
        builder.AddRedisServer("redis");
        builder.AddRabbitMQServer("messaging");
        _app = builder.Build();
        await _app.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        foreach (var name in new[] { "lockdb", "redis", "messaging" })
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
        }
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
