using Dedao.Comment.Apis;
using Dedao.Comment.Data;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDefaultAuthentication();
builder.AddMySqlDbContext<CommentDbContext>("commentdb");
builder.AddRedisClient("redis");
builder.AddRabbitMQClient("messaging");
builder.Services.AddMigration<CommentDbContext>();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapCommentApi();

app.Run();
