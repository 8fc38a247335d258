using System.Text.Json;
using System.Text.Json.Serialization;
using Dedao.Pay.Apis;
using Dedao.Pay.Data;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDefaultAuthentication();
builder.AddMySqlDbContext<PayDbContext>("paydb");
builder.AddRabbitMQClient("messaging");
builder.Services.AddMigration<PayDbContext>();
// api.md spells channels and statuses as camelCase strings ("sandbox", "succeeded").
builder.Services.ConfigureHttpJsonOptions(options =>
    options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapPaymentApi();

app.Run();
