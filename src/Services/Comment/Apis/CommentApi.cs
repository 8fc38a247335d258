using System.Globalization;
using System.Security.Claims;
using System.Text;
using Dedao.Comment.Access;
using Dedao.Comment.Data;
using FeaturedStorage = Dedao.Caching.IStorage<string, System.Collections.Generic.IReadOnlyList<Dedao.Comment.Data.Comment>>;
using Dedao.Contracts;
using Dedao.Messaging;
using Dedao.ServiceDefaults.Apis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Comment.Apis;

public static class CommentApi
{
    private const int MaxContentLength = 2000;
    private const int MaxCountedTargets = 100;

    public static IEndpointRouteBuilder MapCommentApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/comments");

        api.MapGet("/", ListFeatured).AllowAnonymous();
        api.MapPost("/", CreateComment);
        api.MapGet("/mine", ListMine);
        api.MapPost("/{id:long}/feature", FeatureComment).RequireAuthorization(admin => admin.RequireRole("admin"));
        api.MapPut("/{id:long}/like", (CommentDbContext db, FeaturedStorage featured, TimeProvider clock, ClaimsPrincipal user, long id,
            CancellationToken cancellationToken) => ChangeLikeAsync(db, featured, clock, user, id, like: true, cancellationToken));
        api.MapDelete("/{id:long}/like", (CommentDbContext db, FeaturedStorage featured, TimeProvider clock, ClaimsPrincipal user, long id,
            CancellationToken cancellationToken) => ChangeLikeAsync(db, featured, clock, user, id, like: false, cancellationToken));
        api.MapDelete("/{id:long}", DeleteComment);

        // Not routed by the gateway, and only a service's own token passes:
        // column shows these counts on its home page.
        app.MapGet("/internal/comments/featured-counts", CountFeatured).RequireAuthorization(ServiceIdentity.Policy);

        return app;
    }

    public static async Task<Results<Ok<Page<FeaturedComment>>, ValidationProblem>> ListFeatured(
        FeaturedStorage featured, string? targetType, string? targetId, string? cursor, string? limit,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var target = ParseTargetType(targetType, errors);
        if (!long.TryParse(targetId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
        {
            errors["targetId"] = ["targetId must be the id of an article or a lesson."];
        }

        var page = PageQuery.Parse(cursor, limit, errors, Keyset.Codec);
        if (errors.Count > 0 || target is not { } kind)
        {
            return Problems.Validation(errors);
        }

        // The target's featured comments come whole from the cache; a page of them is cut here.
        IEnumerable<FeaturedComment> comments = ((await featured.GetAsync(Data.Comment.FeaturedKey(kind, id), cancellationToken)) ?? [])
            .Select(c => new FeaturedComment(c.Id, c.UserId, c.Nickname, c.Content, c.LikeCount, c.FeaturedAt ?? default))
            .OrderByDescending(c => c.FeaturedAt).ThenByDescending(c => c.Id);
        if (page.After is { } after)
        {
            comments = comments.Where(c => c.FeaturedAt < after.At || (c.FeaturedAt == after.At && c.Id < after.Id));
        }

        List<FeaturedComment> rows = [.. comments.Take(page.Limit + 1)];
        return TypedResults.Ok(page.ToPage(rows, c => new Keyset(c.FeaturedAt, c.Id)));
    }

    public static async Task<Results<Ok<FeaturedCounts>, ValidationProblem>> CountFeatured(
        FeaturedStorage featured, string? targetType, string? ids, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var target = ParseTargetType(targetType, errors);
        var targetIds = new List<long>();
        foreach (var text in (ids ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                targetIds.Add(id);
            }
            else
            {
                errors["ids"] = ["ids must be ids separated by commas."];
            }
        }

        if (targetIds.Count > MaxCountedTargets)
        {
            errors["ids"] = [$"At most {MaxCountedTargets} ids."];
        }

        if (errors.Count > 0 || target is not { } kind)
        {
            return Problems.Validation(errors);
        }

        // One MultiGet for the whole page of targets; a target without featured comments is simply missing.
        var lists = await featured.MultiGetAsync([.. targetIds.Distinct().Select(id => Data.Comment.FeaturedKey(kind, id))], cancellationToken);
        return TypedResults.Ok(new FeaturedCounts(lists.Values.Where(l => l.Count > 0).ToDictionary(l => l[0].TargetId, l => l.Count)));
    }

    public static async Task<Results<Created<CommentCreated>, ValidationProblem, ProblemHttpResult>> CreateComment(
        CommentDbContext db, CommentTargets targets, Nicknames nicknames, TimeProvider clock, ClaimsPrincipal user,
        [FromHeader(Name = "Authorization")] string authorization, NewComment comment, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var targetType = ParseTargetType(comment.TargetType, errors);
        if (comment.TargetId is not > 0)
        {
            errors["targetId"] = ["targetId must be the id of an article or a lesson."];
        }

        // Stored as the reader wrote it, trimmed and in NFC; it is text, and every client shows it as text.
        var content = (comment.Content ?? "").Trim().Normalize(NormalizationForm.FormC);
        if (content.EnumerateRunes().Count() is < 1 or > MaxContentLength)
        {
            errors["content"] = [$"content must be 1 to {MaxContentLength} characters."];
        }

        if (errors.Count > 0 || targetType is not { } type || comment.TargetId is not { } targetId || user.GetUserId() is not { } userId)
        {
            return Problems.Validation(errors);
        }

        var nickname = nicknames.OfCallerAsync(authorization, cancellationToken);
        Target? target;
        try
        {
            target = await targets.FindAsync(type, targetId, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or Polly.ExecutionRejectedException
                                          && !cancellationToken.IsCancellationRequested)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Who may comment here cannot be checked right now.",
                extensions: new Dictionary<string, object?> { ["code"] = "service_unavailable" });
        }

        if (target is null)
        {
            return Problems.NotFound($"The {comment.TargetType} does not exist.");
        }

        if (!target.Open && !await db.Purchases.AnyAsync(
                p => p.UserId == userId && p.ProductType == target.ProductType && p.ProductId == target.ProductId, cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Only its readers may comment on it.",
                extensions: new Dictionary<string, object?> { ["code"] = "no_access" });
        }

        var created = new Data.Comment
        {
            UserId = userId, Nickname = await nickname, TargetType = type, TargetId = targetId, Content = content,
            Status = CommentStatus.Pending, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Comments.Add(created);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/comments/{created.Id}", new CommentCreated(created.Id, created.Status));
    }

    public static async Task<Results<Ok<Page<MyComment>>, ValidationProblem>> ListMine(
        CommentDbContext db, ClaimsPrincipal user, string? cursor, string? limit, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var page = PageQuery.Parse(cursor, limit, errors, Cursors.Id);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var userId = user.GetUserId();
        var comments = db.Comments.AsNoTracking().Where(c => c.UserId == userId);
        if (page.After is { } after)
        {
            comments = comments.Where(c => c.Id < after);
        }

        var rows = await comments
            .OrderByDescending(c => c.Id)
            .Take(page.Limit + 1)
            .Select(c => new MyComment(c.Id, c.TargetType, c.TargetId, c.Content, c.Status, c.LikeCount, c.CreatedAt, c.FeaturedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(page.ToPage(rows, c => c.Id));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> FeatureComment(
        CommentDbContext db, FeaturedStorage featured, TimeProvider clock, long id, CancellationToken cancellationToken)
    {
        var comment = await db.Comments.FindAsync([id], cancellationToken);
        if (comment is null)
        {
            return Problems.NotFound("The comment does not exist.");
        }

        // Featuring twice keeps the first time, so the public order does not jump.
        if (comment.Status == CommentStatus.Pending)
        {
            comment.Status = CommentStatus.Featured;
            comment.FeaturedAt = clock.GetUtcNow().UtcDateTime;
            db.AddIntegrationEvent(new CommentFeatured(comment.Id,
                comment.TargetType == CommentTarget.Article ? CommentTargetType.Article : CommentTargetType.Lesson,
                comment.TargetId, comment.UserId));
            await db.SaveChangesAsync(cancellationToken);
            // After the commit, so no read can put the list back as it was.
            await featured.DeleteAsync(Data.Comment.FeaturedKey(comment.TargetType, comment.TargetId));
        }

        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteComment(
        CommentDbContext db, FeaturedStorage featured, ClaimsPrincipal user, long id, CancellationToken cancellationToken)
    {
        var userId = user.GetUserId();
        var isAdmin = user.IsInRole("admin");
        var comments = db.Comments.Where(c => c.Id == id && (isAdmin || c.UserId == userId));
        var target = await comments.Select(c => new { c.TargetType, c.TargetId }).SingleOrDefaultAsync(cancellationToken);
        if (target is null || await comments.ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return Problems.NotFound("The comment does not exist.");
        }

        await featured.DeleteAsync(Data.Comment.FeaturedKey(target.TargetType, target.TargetId));
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Likes live in their own table keyed by comment and reader, so a second like, however concurrent, inserts
    /// nothing; the count moves in the same transaction, only when a row did.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> ChangeLikeAsync(
        CommentDbContext db, FeaturedStorage featured, TimeProvider clock, ClaimsPrincipal user, long id, bool like,
        CancellationToken cancellationToken)
    {
        // A comment is likeable where it is visible: featured, or the reader's own.
        if (user.GetUserId() is not { } userId
            || await db.Comments.AsNoTracking()
                .Where(c => c.Id == id && (c.Status == CommentStatus.Featured || c.UserId == userId))
                .Select(c => new { c.FeaturedTarget })
                .SingleOrDefaultAsync(cancellationToken) is not { } comment)
        {
            return Problems.NotFound("The comment does not exist.");
        }

        var reader = userId.ToString();
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // The comment first, exclusively: the like's foreign key would take it shared, and two likes that both hold
            // it shared deadlock when each then updates the count.
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT Id FROM Comments WHERE Id = {id} FOR UPDATE", cancellationToken);
            var changed = like
                ? await db.Database.ExecuteSqlInterpolatedAsync(
                    $"INSERT IGNORE INTO CommentLikes (CommentId, UserId, LikedAt) VALUES ({id}, {reader}, {clock.GetUtcNow().UtcDateTime})",
                    cancellationToken)
                : await db.Database.ExecuteSqlInterpolatedAsync(
                    $"DELETE FROM CommentLikes WHERE CommentId = {id} AND UserId = {reader}", cancellationToken);
            if (changed == 1)
            {
                await db.Database.ExecuteSqlInterpolatedAsync(
                    $"UPDATE Comments SET LikeCount = LikeCount + {(like ? 1 : -1)} WHERE Id = {id}", cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        });
        // The featured list shows the count.
        if (comment.FeaturedTarget is { } target)
        {
            await featured.DeleteAsync(target);
        }

        return TypedResults.NoContent();
    }

    private static CommentTarget? ParseTargetType(string? targetType, Dictionary<string, string[]> errors)
    {
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

        return target;
    }
}
