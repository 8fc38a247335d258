// Commit-to-handler latency, one event at a time, then throughput with many writers at once, through the whole bus:
// outbox row committed with the state, relay woken by the commit, publisher confirms, consumer with inbox and effect.
using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Dedao.Bench.Messaging;
using Dedao.Contracts;
using Dedao.Messaging;
using Dedao.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var sequential = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
var writers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
var perWriter = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500;
var concurrency = args.Length > 3 ? ushort.Parse(args[3], CultureInfo.InvariantCulture) : new EventBusOptions().ConsumerConcurrency;

// Where the time goes: the relay's publish spans (confirm included) and the consumer's process spans (commit included).
var spans = new System.Collections.Concurrent.ConcurrentQueue<(string Kind, double Ms)>();
using var listener = new ActivityListener
{
    ShouldListenTo = source => source.Name == "Dedao.Messaging",
    Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
    ActivityStopped = activity => spans.Enqueue((activity.Kind.ToString(), activity.Duration.TotalMilliseconds)),
};
ActivitySource.AddActivityListener(listener);

var model = TestAppModel.CreateEmpty();
model.AddMySql("mysql").AddDatabase("benchdb");
model.AddRabbitMQServer("messaging");
await using var app = model.Build();
await app.StartAsync();
await ResourceHealth.WaitForAllHealthyAsync(app, TimeSpan.FromMinutes(3), "benchdb", "messaging");

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Configuration["ConnectionStrings:benchdb"] = await app.GetConnectionStringAsync("benchdb");
builder.Configuration["ConnectionStrings:messaging"] = await app.GetConnectionStringAsync("messaging");
builder.AddMySqlDbContext<BenchContext>("benchdb");
builder.AddRabbitMQClient("messaging");
builder.Services.AddSingleton<Arrivals>();
builder.AddEventBus<BenchContext>("bench", options => options.ConsumerConcurrency = concurrency).Subscribe<OrderPaid, DeliveryHandler>();
using var host = builder.Build();
await using (var scope = host.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<BenchContext>().Database.EnsureCreatedAsync();
}

await host.StartAsync();
var arrivals = host.Services.GetRequiredService<Arrivals>();
long nextOrder = 0;

async Task<long> CommitAsync()
{
    var orderId = Interlocked.Increment(ref nextOrder);
    await using var scope = host.Services.CreateAsyncScope();
    var db = scope.ServiceProvider.GetRequiredService<BenchContext>();
    db.AddIntegrationEvent(new OrderPaid(orderId, Guid.NewGuid(), ProductType.Column, 1, 1990, DateTime.UtcNow));
    await db.SaveChangesAsync();
    return orderId;
}

async Task UntilArrivedAsync(long count) =>
    await Poll.UntilAsync(() => arrivals.At.Count >= count, TimeSpan.FromMinutes(5), () => $"{arrivals.At.Count} of {count} arrived");

// Warm-up: connections, pools, JIT.
for (var i = 0; i < 50; i++)
{
    await CommitAsync();
}

await UntilArrivedAsync(50);

var latencies = new List<double>(sequential);
var commits = new List<double>(sequential);
spans.Clear();
for (var i = 0; i < sequential; i++)
{
    var started = Stopwatch.GetTimestamp();
    var orderId = await CommitAsync();
    commits.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    while (!arrivals.At.ContainsKey(orderId))
    {
        await Task.Yield();
    }

    latencies.Add(Stopwatch.GetElapsedTime(started, arrivals.At[orderId]).TotalMilliseconds);
}

string Percentiles(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return string.Create(CultureInfo.InvariantCulture,
        $"p50 {sorted[sorted.Count / 2]:F1} ms, p99 {sorted[(int)(sorted.Count * 0.99)]:F1} ms, max {sorted[^1]:F1} ms");
}

Console.WriteLine($"latency, SaveChanges start to handler, {sequential} events one at a time: {Percentiles(latencies)}");
Console.WriteLine($"latency parts: commit with outbox row {Percentiles(commits)}; relay publish span (confirm included) {Percentiles(spans.Where(s => s.Kind == "Producer").Select(s => s.Ms))}; consumer process span (inbox, handler, commit, ack) {Percentiles(spans.Where(s => s.Kind == "Consumer").Select(s => s.Ms))}");

var before = arrivals.At.Count;
var total = writers * perWriter;
var clock = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, writers).Select(async _ =>
{
    for (var i = 0; i < perWriter; i++)
    {
        await CommitAsync();
    }
}));
var written = clock.Elapsed;
await UntilArrivedAsync(before + total);
var handled = clock.Elapsed;
await using (var scope = host.Services.CreateAsyncScope())
{
    var db = scope.ServiceProvider.GetRequiredService<BenchContext>();
    var deliveries = await db.Deliveries.CountAsync();
    var unsent = await db.Set<OutboxMessage>().CountAsync(m => m.SentAt == null);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"throughput, {writers} writers x {perWriter} events, {concurrency} handlers at once: written {total / written.TotalSeconds:F0}/s ({written.TotalSeconds:F1} s), all handled after {handled.TotalSeconds:F1} s = {total / handled.TotalSeconds:F0}/s end to end; deliveries {deliveries} for {arrivals.At.Count} events, unsent rows {unsent}"));
}

await host.StopAsync();
