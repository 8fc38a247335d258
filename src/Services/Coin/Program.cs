using Dedao.Coin.Apis;
using Dedao.Coin.Data;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDefaultAuthentication();
builder.AddMySqlDbContext<CoinDbContext>("coindb");
builder.AddRabbitMQClient("messaging");
builder.Services.AddMigration<CoinDbContext>();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapCoinApi();

app.Run();
