using Dedao.Course.Apis;
using Dedao.Course.Data;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDefaultAuthentication();
builder.AddMySqlDbContext<CourseDbContext>("coursedb");
builder.AddRedisClient("redis");
builder.AddRabbitMQClient("messaging");
builder.Services.AddMigration<CourseDbContext>((db, _, cancellationToken) => CourseSeed.SeedAsync(db, cancellationToken));

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapCourseApi();

app.Run();
