using Dedao.Order.Apis;
using Dedao.Order.Data;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDefaultAuthentication();
builder.AddMySqlDbContext<OrderDbContext>("orderdb");
builder.AddRedisClient("redis");
builder.AddRabbitMQClient("messaging");
builder.Services.AddMigration<OrderDbContext>();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapOrderApi();

app.Run();
