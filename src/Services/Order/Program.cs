using Dedao.Order;
using Dedao.Order.Apis;
using Dedao.Order.Clients;
using Dedao.Contracts;
using Dedao.Order.Data;
using Dedao.Order.Events;
using Dedao.ServiceDefaults.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDefaultAuthentication();
builder.AddMySqlDbContext<OrderDbContext>("orderdb");
builder.AddRedisClient("redis");
builder.AddRabbitMQClient("messaging");
builder.Services.AddMigration<OrderDbContext>();
builder.AddEventBus<OrderDbContext>("order")
    .Subscribe<PaymentSucceeded, PaymentSucceededHandler>()
    .Subscribe<AccessGranted, AccessGrantedHandler>();
builder.Services.AddIdempotency<OrderDbContext>();
builder.Services.AddSingleton<OrderChanges>();
builder.Services.AddOptions<OrderOptions>().BindConfiguration(OrderOptions.Section);
builder.Services.AddHostedService<OrderExpiry>();
// The defaults' handler is one pipeline shared by every client; the catalog gets its own budget and circuit breaker.
// RemoveAllResilienceHandlers is the library's documented way to replace it, still marked experimental.
#pragma warning disable EXTEXP0001
builder.Services.AddHttpClient<CatalogClient>()
    .RemoveAllResilienceHandlers()
    .AddStandardResilienceHandler(CatalogClient.ConfigureResilience);
#pragma warning restore EXTEXP0001

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapOrderApi();

app.Run();
