var builder = DistributedApplication.CreateBuilder(args);

var adminPhone = builder.AddParameter("admin-phone");
var adminPassword = builder.AddParameter("admin-password", secret: true);

var mysql = builder.AddMySql("mysql").WithDataVolume();
var redis = builder.AddRedis("redis").WithDataVolume();
var messaging = builder.AddRabbitMQ("messaging").WithDataVolume();

var passport = builder.AddService<Projects.Dedao_Passport>("passport", mysql.AddDatabase("passportdb"), redis)
    .WithReference(adminPhone).WithReference(adminPassword);
// Every service checks access tokens against passport's signing keys, found by its discovery name.
var pay = builder.AddService<Projects.Dedao_Pay>("pay", mysql.AddDatabase("paydb"), messaging).WithReference(passport);
var coin = builder.AddService<Projects.Dedao_Coin>("coin", mysql.AddDatabase("coindb"), messaging).WithReference(passport);
var order = builder.AddService<Projects.Dedao_Order>("order", mysql.AddDatabase("orderdb"), redis, messaging).WithReference(passport);
var course = builder.AddService<Projects.Dedao_Course>("course", mysql.AddDatabase("coursedb"), redis, messaging).WithReference(passport);
var column = builder.AddService<Projects.Dedao_Column>("column", mysql.AddDatabase("columndb"), redis, messaging).WithReference(passport);
var comment = builder.AddService<Projects.Dedao_Comment>("comment", mysql.AddDatabase("commentdb"), redis, messaging).WithReference(passport);

builder.AddProject<Projects.Dedao_Gateway>("gateway")
    .WithReference(redis).WaitFor(redis)
    .WithReference(passport).WithReference(pay).WithReference(coin).WithReference(order)
    .WithReference(course).WithReference(column).WithReference(comment)
    .WaitFor(passport)
    .WithHttpEndpoint(port: builder.Configuration.GetValue("AppHost:GatewayPort", 5000))
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");

builder.Build().Run();

/// <summary>Public so tests can start this model with <c>DistributedApplicationTestingBuilder.CreateAsync&lt;Program&gt;()</c>.</summary>
public partial class Program;
