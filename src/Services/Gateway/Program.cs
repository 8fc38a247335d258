using Dedao.Gateway.Edge;
using Dedao.Gateway.Proxy;
using Dedao.Gateway.RateLimiting;
using Microsoft.AspNetCore.Http.Timeouts;

var builder = WebApplication.CreateBuilder(args);

// Operators change routes, limits and canary weights in this file; the proxy picks them up without a restart.
if (builder.Configuration["Gateway:OverridesFile"] is { Length: > 0 } overrides)
{
    builder.Configuration.AddJsonFile(overrides, optional: true, reloadOnChange: true);
}

builder.AddServiceDefaults();
builder.AddRedisClient("redis");
builder.AddDefaultAuthentication();
builder.AddGatewayRateLimiting();
// The services answer within their budget themselves; each cluster's ActivityTimeout bounds the wait for them.
builder.Services.Configure<RequestTimeoutOptions>(options => options.DefaultPolicy = null);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = RequestSizeLimit.MaxBodyBytes);
builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddServiceDiscoveryDestinationResolver()
    .AddTransforms<DeprecationTransformProvider>();
builder.Services.AddOpenApi("gateway", openApi => openApi.AddDocumentTransformer<ProxyRoutesDocument>());

var app = builder.Build();

app.UseMiddleware<RequestIdMiddleware>();
app.UseMiddleware<RequestSizeLimit>();
app.UseMiddleware<IdentityHeaderStripping>();
app.UseAuthentication();
app.UseGatewayRateLimiting();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
app.MapReverseProxy(proxy =>
{
    proxy.Use(BackendFailure.TranslateAsync);
    proxy.Use(CanaryRouting.SelectClusterAsync);
    proxy.UseSessionAffinity();
    proxy.UseLoadBalancing();
    proxy.UsePassiveHealthChecks();
});

app.Run();
