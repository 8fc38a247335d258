using Dedao.Contracts;
using Dedao.Course.Apis;
using Dedao.Course.Data;
using Dedao.Course.Events;
using Dedao.Course.Queries;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDefaultAuthentication();
builder.AddMySqlDbContext<CourseDbContext>("coursedb");
builder.AddRedisClient("redis");
builder.AddRabbitMQClient("messaging");
builder.Services.AddMigration<CourseDbContext>((db, _, cancellationToken) => CourseSeed.SeedAsync(db, cancellationToken));
builder.AddEventBus<CourseDbContext>("course")
    .Subscribe<OrderPaid, OrderPaidHandler>()
    .Subscribe<ContentChanged, ContentChangedHandler>();
builder.Services.AddSingleton(TimeProvider.System);
// Course pages, lessons and purchases come from the multi-level cache (Caching:Mode picks its tiers).
builder.AddMultiLevelCache();
builder.Services.AddCachedTables();
builder.Services.AddScoped<CoursePages>();
builder.Services.AddScoped<CourseAccess>();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapCourseApi();
// The AppHost's "Flush caches" command calls as the service itself.
app.MapCacheFlush().RequireAuthorization(ServiceIdentity.Policy);

app.Run();
