using Dedao.Pay.Apis;
using Dedao.Pay.Clients;
using Dedao.Contracts;
using Dedao.Pay.Data;
using Dedao.Pay.Events;
using Dedao.Pay.Sandbox;
using Dedao.ServiceDefaults.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDefaultAuthentication();
builder.AddMySqlDbContext<PayDbContext>("paydb");
builder.AddRabbitMQClient("messaging");
builder.Services.AddMigration<PayDbContext>();
builder.AddEventBus<PayDbContext>("pay")
    .Subscribe<PaymentRefundRequired, PaymentRefundRequiredHandler>()
    .Subscribe<CoinsDebited, CoinsDebitedHandler>();
builder.Services.AddIdempotency<PayDbContext>();
builder.Services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddHttpClient<OrderClient>(http => http.BaseAddress = new Uri("http://order")).AddUserTokenForwarding();
builder.Services.AddHttpClient<CoinClient>(http => http.BaseAddress = new Uri("http://coin")).AddUserTokenForwarding();
builder.Services.AddHttpClient<SandboxClient>((sp, http) =>
    http.BaseAddress = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SandboxOptions>>().Value.BaseAddress);
builder.Services.AddHostedService<SandboxReconciler>();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapPaymentApi();

app.Run();
