using Dedao.AppHost;
using Microsoft.Extensions.Configuration;

var builder = DistributedApplication.CreateBuilder(args);

var adminPhone = builder.AddParameter("admin-phone", "13800000000", publishValueAsDefault: true);
var adminPassword = builder.AddGeneratedSecret("admin-password");
// The key pay and the sandbox provider sign and check payment notices with.
var sandboxSecret = builder.AddGeneratedSecret("sandbox-secret");

// Each server is external (ConnectionStrings:<name>), a container, or the binary installed here: whichever this machine has.
var mysql = builder.AddMySql("mysql");
var redis = builder.AddRedisServer("redis");
var messaging = builder.AddRabbitMQServer("messaging");

var passport = builder.AddService<Projects.Dedao_Passport>("passport", mysql.AddDatabase("passportdb"), redis)
    .WithEnvironment("Parameters__admin-phone", adminPhone)
    .WithEnvironment("Parameters__admin-password", adminPassword);
// Every service checks access tokens against passport's signing keys, found by its discovery name. The content services
// and coin also get a token of their own there: they call each other, and the dashboard's commands call them, on nobody's behalf.
var pay = builder.AddService<Projects.Dedao_Pay>("pay", mysql.AddDatabase("paydb"), messaging).WithReference(passport);
var coin = builder.AddService<Projects.Dedao_Coin>("coin", mysql.AddDatabase("coindb"), messaging).WithServiceIdentity(passport)
    .WithBooksCheckCommand();
var order = builder.AddService<Projects.Dedao_Order>("order", mysql.AddDatabase("orderdb"), redis, messaging).WithReference(passport);
var course = builder.AddService<Projects.Dedao_Course>("course", mysql.AddDatabase("coursedb"), redis, messaging).WithServiceIdentity(passport)
    .WithCacheFlushCommand();
var column = builder.AddService<Projects.Dedao_Column>("column", mysql.AddDatabase("columndb"), redis, messaging).WithServiceIdentity(passport)
    .WithProxiedReplicas(builder.Configuration.GetValue("AppHost:ColumnReplicas", 2))
    .WithCacheFlushCommand();
// Comment asks column and course, when a comment is written, whether its target is open and to which product it belongs.
var comment = builder.AddService<Projects.Dedao_Comment>("comment", mysql.AddDatabase("commentdb"), redis, messaging)
    .WithServiceIdentity(passport).WithReference(column).WithReference(course)
    .WithCacheFlushCommand();
// Column's home page shows comment's featured counts, and goes out without them when comment is away.
column.WithReference(comment);

// Commerce calls: order reads prices from the catalog; pay reads orders and debits coins; coin opens top-up payments at pay.
// The sandbox stands in for the outside payment company: pay passes confirmations to it, and it posts signed notices back.
var paySandbox = builder.AddService<Projects.Dedao_PaySandbox>("pay-sandbox")
    .WithReference(pay)
    .WithEnvironment("Sandbox__Secret", sandboxSecret)
    .WithEnvironment("Sandbox__DataFolder", StateFolder.For(builder).Folder("data", "pay-sandbox"));
order.WithReference(column).WithReference(course);
coin.WithReference(pay);
pay.WithReference(order).WithReference(coin).WithReference(paySandbox)
    .WithEnvironment("Sandbox__Secret", sandboxSecret);

var gateway = builder.AddService<Projects.Dedao_Gateway>("gateway", redis)
    .WithReference(passport).WithReference(pay).WithReference(coin).WithReference(order)
    .WithReference(course).WithReference(column).WithReference(comment)
    .WaitFor(passport)
    .WithGatewayEndpoint(builder.Configuration.GetValue("AppHost:GatewayPort", 5000));
// Passport's issuer and discovery name the address clients reach it at: the gateway's.
passport.WithEnvironment("Passport__PublicUrl", gateway.GetEndpoint("http"));

// Disposed, not only run: disposing is what deletes an ephemeral state folder.
await using var app = builder.Build();
await app.RunAsync();

/// <summary>Public so tests can start this model with <c>DistributedApplicationTestingBuilder.CreateAsync&lt;Projects.Dedao_AppHost&gt;()</c>.</summary>
public partial class Program;
