using Dedao.Coin.Apis;
using Dedao.Coin.Clients;
using Dedao.Coin.Data;
using Dedao.Coin.Events;
using Dedao.Contracts;
using Dedao.ServiceDefaults.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDefaultAuthentication();
builder.AddMySqlDbContext<CoinDbContext>("coindb");
builder.AddRabbitMQClient("messaging");
builder.Services.AddMigration<CoinDbContext>();
builder.AddEventBus<CoinDbContext>("coin")
    .Subscribe<PaymentSucceeded, PaymentSucceededHandler>()
    .Subscribe<PaymentFailed, PaymentFailedHandler>()
    .Subscribe<PaymentRefundRequired, PaymentRefundRequiredHandler>();
builder.Services.AddIdempotency<CoinDbContext>();
builder.Services.AddHttpClient<PayClient>(http => http.BaseAddress = new Uri("http://pay")).AddUserTokenForwarding();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapCoinApi();
app.MapBooksApi();

app.Run();
