using System.Text;
using Dedao.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace Dedao.ServiceDefaults.Tests;

[Collection(BackingServers.Name)]
public sealed class RabbitMQClientTests(BackingServersFixture servers)
{
    // Aspire.RabbitMQ.Client names its health check so.
    private const string HealthCheckName = "RabbitMQ.Client";

    [Fact]
    public async Task One_shared_connection_carries_a_message_and_reports_healthy()
    {
        var builder = servers.CreateServiceBuilder();
        builder.AddRabbitMQClient("messaging");
        using var host = builder.Build();

        var connection = host.Services.GetRequiredService<IConnection>();
        Assert.Same(connection, host.Services.GetRequiredService<IConnection>());
        await using var channel = await connection.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync(exclusive: true)).QueueName;
        await channel.BasicPublishAsync("", queue, Encoding.UTF8.GetBytes("留言"));

        BasicGetResult? message = null;
        await Poll.UntilAsync(async () => (message = await channel.BasicGetAsync(queue, autoAck: true)) is not null,
            TimeSpan.FromSeconds(10), () => $"nothing arrived on {queue}");
        Assert.Equal("留言", Encoding.UTF8.GetString(message!.Body.Span));
        Assert.Equal(HealthStatus.Healthy, (await host.HealthAsync()).Entries[HealthCheckName].Status);
    }

    [Fact]
    public async Task Publishing_is_traced()
    {
        var builder = servers.CreateServiceBuilder();
        builder.AddRabbitMQClient("messaging");
        var telemetry = TelemetryCapture.AddTo(builder);
        using var host = builder.Build();
        await host.StartAsync();

        await using (var channel = await host.Services.GetRequiredService<IConnection>().CreateChannelAsync())
        {
            var queue = (await channel.QueueDeclareAsync(exclusive: true)).QueueName;
            await channel.BasicPublishAsync("", queue, Encoding.UTF8.GetBytes("traced"));
        }

        Assert.Contains(telemetry.Activities, activity => activity.Source.Name == "RabbitMQ.Client.Publisher");
        await host.StopAsync();
    }

    [Fact]
    public async Task A_broker_that_does_not_answer_shows_in_health()
    {
        var builder = ServiceHost.CreateBuilder();
        builder.Configuration["ConnectionStrings:messaging"] = $"amqp://guest:guest@127.0.0.1:{ServiceHost.FreePort()}";
        builder.AddRabbitMQClient("messaging", settings => settings.MaxConnectRetryCount = 0);
        using var host = builder.Build();

        Assert.Equal(HealthStatus.Unhealthy, (await host.HealthAsync()).Entries[HealthCheckName].Status);
    }
}
