using Dedao.Caching;
using Dedao.Column.Apis;
using Dedao.Column.Data;
using Dedao.Column.Events;
using Dedao.Column.Queries;
using Dedao.Contracts;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDefaultAuthentication();
builder.AddMySqlDbContext<ColumnDbContext>("columndb");
builder.AddRedisClient("redis");
builder.AddRabbitMQClient("messaging");
builder.Services.AddMigration<ColumnDbContext>((db, _, cancellationToken) => ColumnSeed.SeedAsync(db, cancellationToken));
builder.AddEventBus<ColumnDbContext>("column")
    .Subscribe<OrderPaid, OrderPaidHandler>()
    .Subscribe<ContentChanged, ContentChangedHandler>();
builder.Services.AddSingleton(TimeProvider.System);
// Home pages, articles and subscriptions come from the multi-level cache (Caching:Mode picks its tiers).
builder.AddMultiLevelCache();
builder.Services.AddCachedTables();
builder.Services.AddStorage<long, ColumnPage>(ColumnPageTable.StorageName,
    (services, options) => ActivatorUtilities.CreateInstance<ColumnPageTable>(services, options));
builder.Services.AddSingleton<ColumnPages>();
builder.Services.AddSingleton<ColumnAccess>();
builder.Services.AddScoped<ColumnList>();
// The comment summary is an extra on the home page: it gets little time, and the page goes out without it when that runs out.
builder.Services.AddHttpClient(CommentSummaries.ClientName, http => http.Timeout = TimeSpan.FromMilliseconds(500)).AddServiceIdentity();
builder.Services.AddStorage<long, FeaturedCount>(CommentSummaries.StorageName, (services, options) => new LoaderStorage<long, FeaturedCount>(
    CommentSummaries.StorageName,
    (articleIds, cancellationToken) => CommentSummaries.AskCommentAsync(
        services.GetRequiredService<IHttpClientFactory>().CreateClient(CommentSummaries.ClientName), articleIds, cancellationToken),
    options, services.GetRequiredService<CacheMetrics>()));
builder.Services.AddSingleton<CommentSummaries>();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapColumnApi();
// The AppHost's "Flush caches" command calls as the service itself.
app.MapCacheFlush().RequireAuthorization(ServiceIdentity.Policy);

app.Run();
