using Dedao.Pay.Apis;
using Dedao.Pay.Data;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDefaultAuthentication();
builder.AddMySqlDbContext<PayDbContext>("paydb");
builder.AddRabbitMQClient("messaging");
builder.Services.AddMigration<PayDbContext>();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapPaymentApi();

app.Run();
