using Dedao.Passport;
using Dedao.Passport.Apis;
using Dedao.Passport.Data;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMySqlDbContext<PassportDbContext>("passportdb");
builder.AddRedisClient("redis");
builder.Services.AddMigration<PassportDbContext>(PassportSeed.SeedAsync);
builder.AddDefaultAuthentication();
builder.AddPassportServices();
builder.Services.AddOpenApi();

// The platform's limit on request bodies; passport's own bodies are a few hundred bytes.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 1024 * 1024);

var app = builder.Build();

app.UseForwardedHeaders();
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapPassportApi();
// Public, so clients can read the contract through the gateway.
app.MapOpenApi("/api/v1/passport/openapi/{documentName}.json").AllowAnonymous();

app.Run();
