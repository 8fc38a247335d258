// The limit for the cache benchmark: Kestrel answering a GET with bytes it already holds, nothing else.
// Usage: dotnet Dedao.Bench.BareKestrel.dll --urls http://127.0.0.1:PORT --Pages DIR   (GET /NAME answers DIR/NAME as JSON)
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var folder = builder.Configuration["Pages"] ?? throw new InvalidOperationException("Set --Pages.");
var pages = Directory.GetFiles(folder).ToDictionary(path => Path.GetFileName(path), File.ReadAllBytes);

var app = builder.Build();
app.MapGet("/{name}", (string name) => pages.TryGetValue(name, out var page)
    ? Results.Bytes(page, "application/json; charset=utf-8")
    : Results.NotFound());
app.Run();
