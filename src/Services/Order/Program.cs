using System.Text.Json;
using System.Text.Json.Serialization;
using Dedao.Order.Apis;
using Dedao.Order.Data;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDefaultAuthentication();
builder.AddMySqlDbContext<OrderDbContext>("orderdb");
builder.AddRedisClient("redis");
builder.AddRabbitMQClient("messaging");
builder.Services.AddMigration<OrderDbContext>();
// api.md spells statuses and product types as camelCase strings ("pending", "column").
builder.Services.ConfigureHttpJsonOptions(options =>
    options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapOrderApi();

app.Run();
