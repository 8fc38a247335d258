// The baseline for the gateway benchmark: one YARP hop, no auth, limits, discovery or telemetry.
// Usage: dotnet Dedao.Bench.BareYarp.dll --urls http://127.0.0.1:PORT --Destination http://127.0.0.1:BACKEND
using Yarp.ReverseProxy.Configuration;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "/{**rest}" } }],
    [new ClusterConfig
    {
        ClusterId = "backend",
        Destinations = new Dictionary<string, DestinationConfig>
        {
            ["primary"] = new() { Address = builder.Configuration["Destination"] ?? throw new InvalidOperationException("Set --Destination.") },
        },
    }]);

var app = builder.Build();
app.MapReverseProxy();
app.Run();
