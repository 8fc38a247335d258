using System.Globalization;
using Dedao.Comment.Data;
using Dedao.ServiceDefaults.Apis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Comment.Apis;

public static class CommentApi
{
    public static IEndpointRouteBuilder MapCommentApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/comments");

        api.MapGet("/", ListFeatured).AllowAnonymous();

        return app;
    }

    public static async Task<Results<Ok<Page<FeaturedComment>>, ValidationProblem>> ListFeatured(
        CommentDbContext db, string? targetType, string? targetId, string? cursor, string? limit,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        CommentTarget? target = targetType switch
        {
            "article" => CommentTarget.Article,
            "lesson" => CommentTarget.Lesson,
            _ => null,
        };
        if (target is null)
        {
            errors["targetType"] = ["targetType must be article or lesson."];
        }

        if (!long.TryParse(targetId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
        {
            errors["targetId"] = ["targetId must be the id of an article or a lesson."];
        }

        var page = PageQuery.Parse(cursor, limit, errors, Keyset.Codec);
        if (errors.Count > 0 || target is not { } kind)
        {
            return Problems.Validation(errors);
        }

        var comments = db.Comments.AsNoTracking()
            .Where(c => c.TargetType == kind && c.TargetId == id && c.Status == CommentStatus.Featured);
        if (page.After is { } after)
        {
            comments = comments.Where(c => c.FeaturedAt < after.At || (c.FeaturedAt == after.At && c.Id < after.Id));
        }

        var rows = await comments
            .OrderByDescending(c => c.FeaturedAt).ThenByDescending(c => c.Id)
            .Take(page.Limit + 1)
            .Select(c => new FeaturedComment(c.Id, c.UserId, c.Nickname, c.Content, c.LikeCount, c.FeaturedAt!.Value))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(page.ToPage(rows, c => new Keyset(c.FeaturedAt, c.Id)));
    }
}

public sealed record FeaturedComment(long Id, Guid UserId, string Nickname, string Content, int LikeCount, DateTime FeaturedAt);
