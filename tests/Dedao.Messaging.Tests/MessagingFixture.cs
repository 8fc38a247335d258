using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Dedao.Contracts;
using Dedao.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dedao.Messaging.Tests;

/// <summary>Real MariaDB and RabbitMQ, started once; each test builds service hosts on them as a service's Program.cs would.</summary>
public sealed class MessagingFixture : IAsyncLifetime
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // The database is new for every run, so order ids need only be unique within one.
    private static long s_lastOrderId;

    public DistributedApplication App { get; private set; } = null!;

    public string MySql { get; private set; } = "";

    public string RabbitMQ { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var builder = TestAppModel.CreateEmpty();
        builder.AddMySql("mysql").AddDatabase("testdb");
        builder.AddRabbitMQServer("messaging");
        App = builder.Build();

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await App.StartAsync(timeout.Token);
        await ResourceHealth.WaitForAllHealthyAsync(App, TimeSpan.FromMinutes(3), "mysql", "testdb", "messaging");
        MySql = await App.GetConnectionStringAsync("testdb", timeout.Token) ?? throw new InvalidOperationException("testdb has no connection string");
        RabbitMQ = await App.GetConnectionStringAsync("messaging", timeout.Token) ?? throw new InvalidOperationException("messaging has no connection string");

        using var host = CreateHost();
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ShopContext>().Database.EnsureCreatedAsync(timeout.Token);
    }

    /// <summary>A service with its database and broker connection, and, when <paramref name="service"/> is named, its event bus.</summary>
    /// <param name="before">Runs first: its settings and services win over the defaults.</param>
    public IHost CreateHost(string? service = null, HandlerScript? script = null, Action<EventBusOptions>? configure = null,
        Action<HostApplicationBuilder>? before = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["ConnectionStrings:testdb"] = MySql;
        builder.Configuration["ConnectionStrings:messaging"] = RabbitMQ;
        // The services' 1 s is for a request's budget; a test's own insert timed out at it once in CI, where every suite
        // loads the same two cores. The bus, not the command timeout, is under test here.
        builder.Configuration["Aspire:Pomelo:EntityFrameworkCore:MySql:CommandTimeout"] = "15";
        before?.Invoke(builder);
        // What the bus logs on its way (retries, a broker away) is what tells why a test failed.
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.AddMySqlDbContext<ShopContext>("testdb");
        builder.AddRabbitMQClient("messaging");
        builder.Services.AddSingleton(script ?? new HandlerScript());
        if (service is not null)
        {
            builder.AddEventBus<ShopContext>(service, options =>
            {
                options.RetryDelays = [TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(600)];
                configure?.Invoke(options);
            }).Subscribe<OrderPaid, RecordingHandler>();
        }

        return builder.Build();
    }

    public static OrderPaid NewOrderPaid() =>
        new(Interlocked.Increment(ref s_lastOrderId), Guid.NewGuid(), ProductType.Column, 7, 1990, DateTime.UtcNow);

    public static async Task<T> InScopeAsync<T>(IHost host, Func<ShopContext, Task<T>> work)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<ShopContext>());
    }

    public static Task<int> EffectsAsync(IHost host, long orderId) =>
        InScopeAsync(host, db => db.Effects.CountAsync(e => e.OrderId == orderId));

    public async Task DisposeAsync() => await App.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class Messaging : ICollectionFixture<MessagingFixture>
{
    public const string Name = "messaging";
}
