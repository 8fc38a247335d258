using Dedao.Comment.Access;
using Dedao.Comment.Apis;
using Dedao.Comment.Data;
using Dedao.Comment.Events;
using Dedao.Contracts;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDefaultAuthentication();
builder.AddMySqlDbContext<CommentDbContext>("commentdb");
builder.AddRedisClient("redis");
builder.AddRabbitMQClient("messaging");
builder.Services.AddMigration<CommentDbContext>((db, _, cancellationToken) => CommentSeed.SeedAsync(db, cancellationToken));
builder.AddEventBus<CommentDbContext>("comment").Subscribe<OrderPaid, OrderPaidHandler>();
builder.Services.AddSingleton(TimeProvider.System);
// Each target's featured comments come from the multi-level cache (Caching:Mode picks its tiers).
builder.AddMultiLevelCache();
builder.Services.AddCachedTables();
// A comment is written within the gateway's 2 s: each question to another service gets well under half of it.
builder.Services.AddHttpClient<CommentTargets>(http => http.Timeout = TimeSpan.FromMilliseconds(800)).AddServiceIdentity();
builder.Services.AddHttpClient<Nicknames>(http => http.Timeout = TimeSpan.FromMilliseconds(800));

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapCommentApi();
// The AppHost's "Flush caches" command calls as the service itself.
app.MapCacheFlush().RequireAuthorization(ServiceIdentity.Policy);

app.Run();
