using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Dedao.Testing;

namespace Dedao.Hosting.Tests;

/// <summary>Each form of a server is a proper Aspire resource: the model is checked as built, without running it.</summary>
public sealed class ModelShapeTests
{
    [Fact]
    public void As_containers_the_servers_are_the_official_images_with_their_data_in_named_volumes()
    {
        using var builder = TestAppModel.CreateEmpty("--AppHost:Runtime=container");

        var mysql = builder.AddMySql("mysql");
        var redis = builder.AddRedisServer("redis");
        var messaging = builder.AddRabbitMQServer("messaging");

        var mysqlImage = Assert.Single(mysql.Resource.Annotations.OfType<ContainerImageAnnotation>());
        Assert.Equal("library/mysql", mysqlImage.Image);
        Assert.Contains(mysql.Resource.Annotations.OfType<ContainerMountAnnotation>(), m => m.Target == "/var/lib/mysql" && m.Type == ContainerMountType.Volume);
        Assert.IsType<RedisResource>(redis.Resource);
        Assert.Contains(redis.Resource.Annotations.OfType<ContainerMountAnnotation>(), m => m.Type == ContainerMountType.Volume);
        Assert.IsType<RabbitMQServerResource>(messaging.Resource);
        Assert.Contains(messaging.Resource.Annotations.OfType<ContainerMountAnnotation>(), m => m.Type == ContainerMountType.Volume);
    }

    [Fact]
    public void As_executables_each_server_has_an_aspire_allocated_loopback_endpoint_a_secret_password_and_a_health_check()
    {
        using var builder = TestAppModel.CreateEmpty("--AppHost:Runtime=executable");

        var mysql = builder.AddMySql("mysql");
        var redis = builder.AddRedisServer("redis");
        var messaging = builder.AddRabbitMQServer("messaging");

        var server = Assert.IsType<MySqlServerResource>(mysql.Resource);
        Assert.True(server.PasswordParameter.Secret);
        Assert.IsType<RedisServerResource>(redis.Resource);
        Assert.IsType<RabbitMQBrokerResource>(messaging.Resource);
        foreach (var resource in new IResource[] { mysql.Resource, redis.Resource, messaging.Resource })
        {
            Assert.NotEmpty(resource.Annotations.OfType<HealthCheckAnnotation>());
            Assert.All(resource.Annotations.OfType<EndpointAnnotation>(), endpoint =>
            {
                Assert.Null(endpoint.Port);  // allocated by Aspire at start
                Assert.False(endpoint.IsProxied);
            });
        }
    }

    [Fact]
    public void A_connection_string_in_configuration_makes_an_external_server_that_still_gets_its_databases()
    {
        using var builder = TestAppModel.CreateEmpty("--ConnectionStrings:mysql=Server=127.0.0.1;Port=3306;User ID=root;Password=x");

        var mysql = builder.AddMySql("mysql");
        var database = mysql.AddDatabase("ordersdb", "orders");

        Assert.IsType<ExternalMySqlServerResource>(mysql.Resource);
        Assert.Same(mysql.Resource, database.Resource.Parent);
        Assert.Equal("orders", database.Resource.DatabaseName);
        Assert.DoesNotContain(builder.Resources, r => r is ExecutableResource or ContainerResource);
    }
}
