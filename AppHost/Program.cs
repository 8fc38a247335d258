using Dedao.AppHost;
using Microsoft.Extensions.Configuration;

var builder = DistributedApplication.CreateBuilder(args);

var adminPhone = builder.AddParameter("admin-phone", "13800000000", publishValueAsDefault: true);
var adminPassword = builder.AddGeneratedSecret("admin-password");

// Each server is external (ConnectionStrings:<name>), a container, or the binary installed here: whichever this machine has.
var mysql = builder.AddMySql("mysql");
var redis = builder.AddRedisServer("redis");
var messaging = builder.AddRabbitMQServer("messaging");

var passport = builder.AddService<Projects.Dedao_Passport>("passport", mysql.AddDatabase("passportdb"), redis)
    .WithEnvironment("Parameters__admin-phone", adminPhone)
    .WithEnvironment("Parameters__admin-password", adminPassword);
// Every service checks access tokens against passport's signing keys, found by its discovery name.
var pay = builder.AddService<Projects.Dedao_Pay>("pay", mysql.AddDatabase("paydb"), messaging).WithReference(passport);
var coin = builder.AddService<Projects.Dedao_Coin>("coin", mysql.AddDatabase("coindb"), messaging).WithReference(passport);
var order = builder.AddService<Projects.Dedao_Order>("order", mysql.AddDatabase("orderdb"), redis, messaging).WithReference(passport);
var course = builder.AddService<Projects.Dedao_Course>("course", mysql.AddDatabase("coursedb"), redis, messaging).WithReference(passport);
var column = builder.AddService<Projects.Dedao_Column>("column", mysql.AddDatabase("columndb"), redis, messaging).WithReference(passport)
    .WithProxiedReplicas(builder.Configuration.GetValue("AppHost:ColumnReplicas", 2))
    .WithCacheFlushCommand();
// Comment asks column and course, when a comment is written, whether its target is open and to which product it belongs.
var comment = builder.AddService<Projects.Dedao_Comment>("comment", mysql.AddDatabase("commentdb"), redis, messaging)
    .WithReference(passport).WithReference(column).WithReference(course);
// Column's home page shows comment's featured counts, and goes out without them when comment is away.
column.WithReference(comment);

builder.AddService<Projects.Dedao_Gateway>("gateway", redis)
    .WithReference(passport).WithReference(pay).WithReference(coin).WithReference(order)
    .WithReference(course).WithReference(column).WithReference(comment)
    .WaitFor(passport)
    .WithGatewayEndpoint(builder.Configuration.GetValue("AppHost:GatewayPort", 5000));

builder.Build().Run();

/// <summary>Public so tests can start this model with <c>DistributedApplicationTestingBuilder.CreateAsync&lt;Projects.Dedao_AppHost&gt;()</c>.</summary>
public partial class Program;
