using System.Text.Json;
using System.Text.Json.Serialization;
using Dedao.Coin.Apis;
using Dedao.Coin.Data;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDefaultAuthentication();
builder.AddMySqlDbContext<CoinDbContext>("coindb");
builder.AddRabbitMQClient("messaging");
builder.Services.AddMigration<CoinDbContext>();
// api.md spells ledger reasons as camelCase strings ("topup").
builder.Services.ConfigureHttpJsonOptions(options =>
    options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapCoinApi();

app.Run();
