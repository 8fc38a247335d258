using System.Security.Claims;
using System.Text;
using Dedao.Caching;
using Dedao.Column.Data;
using Dedao.Column.Queries;
using Dedao.Contracts;
using Dedao.Messaging;
using Dedao.ServiceDefaults.Apis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Column.Apis;

public static class ColumnApi
{
    private const int MaxTitleLength = 200;
    private const int MaxContentLength = 100_000;
    private const string JsonContentType = "application/json; charset=utf-8";

    public static IEndpointRouteBuilder MapColumnApi(this IEndpointRouteBuilder app)
    {
        // Reads are anonymous one by one, not by group: a group's AllowAnonymous would open the admin route too.
        var v1 = app.MapGroup("/api/v1/columns");
        v1.MapGet("/", ListColumns).AllowAnonymous();
        v1.MapGet("/{id:long}", GetColumn).AllowAnonymous();
        v1.MapGet("/{id:long}/articles/{articleId:long}", GetArticle).AllowAnonymous();
        v1.MapPost("/{id:long}/articles", PublishArticle).RequireAuthorization(admin => admin.RequireRole("admin"));

        app.MapGroup("/api/v2/columns").MapGet("/{id:long}", GetColumnV2).AllowAnonymous();

        // Not routed by the gateway, and only a service's own token passes:
        // comment asks it which column an article belongs to and whether it is open.
        app.MapGet("/internal/articles/{articleId:long}", GetArticleTarget).RequireAuthorization(ServiceIdentity.Policy);

        return app;
    }

    public static async Task<Results<Ok<Page<ColumnSummary>>, ValidationProblem>> ListColumns(
        ColumnList columns, string? free, string? cursor, string? limit, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        bool? isFree = null;
        if (!string.IsNullOrEmpty(free))
        {
            if (bool.TryParse(free, out var parsed))
            {
                isFree = parsed;
            }
            else
            {
                errors["free"] = ["free must be true or false."];
            }
        }

        var page = PageQuery.Parse(cursor, limit, errors, Cursors.Id);
        return errors.Count > 0
            ? Problems.Validation(errors)
            : TypedResults.Ok(await columns.ListAsync(isFree, page, cancellationToken));
    }

    /// <summary>The v1 home page (<see cref="ColumnHome"/>), written from the bytes rendered once for its cached page.</summary>
    public static async Task<Results<Utf8ContentHttpResult, ProblemHttpResult>> GetColumn(
        ColumnPages pages, ColumnAccess access, ClaimsPrincipal user, long id, CancellationToken cancellationToken)
    {
        var home = await pages.GetHomeAsync(id, cancellationToken);
        return home is null
            ? Problems.NotFound("The column does not exist.")
            : TypedResults.Text(home.For(await access.IsSubscribedAsync(user.GetUserId(), id, cancellationToken)), JsonContentType);
    }

    public static async Task<Results<Ok<ColumnHomeV2>, ValidationProblem, ProblemHttpResult>> GetColumnV2(
        ColumnPages pages, ColumnAccess access, CommentSummaries comments, ClaimsPrincipal user, long id, string? cursor,
        string? limit, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var page = PageQuery.Parse(cursor, limit, errors, Cursors.Id);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var home = await pages.GetHomeV2Async(id, page, cancellationToken);
        if (home is null)
        {
            return Problems.NotFound("The column does not exist.");
        }

        var summary = comments.ForArticlesAsync([.. home.Articles.Items.Select(a => a.Id)], cancellationToken);
        var subscribed = await access.IsSubscribedAsync(user.GetUserId(), id, cancellationToken);
        return TypedResults.Ok(home with { Subscribed = subscribed, Comments = await summary });
    }

    public static async Task<Results<Ok<ArticleBody>, ProblemHttpResult>> GetArticle(
        ColumnPages pages, ColumnAccess access, ClaimsPrincipal user, long id, long articleId,
        CancellationToken cancellationToken)
    {
        var article = await pages.GetArticleAsync(id, articleId, cancellationToken);
        if (article is null)
        {
            return Problems.NotFound("The column has no such article.");
        }

        return article.Open || await access.IsSubscribedAsync(user.GetUserId(), id, cancellationToken)
            ? TypedResults.Ok(article.Body)
            : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Subscribe to the column to read this article.",
                extensions: new Dictionary<string, object?> { ["code"] = "not_subscribed" });
    }

    public static async Task<Results<Created<ArticleCreated>, ValidationProblem, ProblemHttpResult>> PublishArticle(
        ColumnDbContext db, TimeProvider clock, IStorage<long, ColumnPage> pages, IStorage<long, Article> articles, long id,
        NewArticle article, CancellationToken cancellationToken)
    {
        // What readers see is counted: trimmed, NFC, in runes (api.md's conventions). A title is a name on every home page:
        // no control or text-direction characters, which would hide or turn around what follows it.
        var content = (article.Content ?? "").Trim().Normalize(NormalizationForm.FormC);
        var errors = new Dictionary<string, string[]>();
        if (TextRules.CheckName(article.Title, 1, MaxTitleLength, out var title) is { } titleError)
        {
            errors["title"] = [titleError];
        }

        if (content.EnumerateRunes().Count() is < 1 or > MaxContentLength)
        {
            errors["content"] = [$"content must be 1 to {MaxContentLength} characters."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (await db.Columns.FindAsync([id], cancellationToken) is null)
        {
            return Problems.NotFound("The column does not exist.");
        }

        var published = new Article
        {
            ColumnId = id, Title = title, Content = content, IsTrial = article.IsTrial,
            PublishedAt = clock.GetUtcNow().UtcDateTime,
        };
        // The article needs its id before content.changed can name it; one transaction keeps the two together.
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.Articles.Add(published);
            await db.SaveChangesAsync(cancellationToken);
            db.AddIntegrationEvent(new ContentChanged(ProductType.Column, id, published.Id, null));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        // After the commit, so no read can put the page back as it was; the backplane tells the other replicas.
        // The new id too: someone may have asked for it before, and its absence is remembered.
        await pages.DeleteAsync(id);
        await articles.DeleteAsync(published.Id);
        return TypedResults.Created($"/api/v1/columns/{id}/articles/{published.Id}", new ArticleCreated(published.Id));
    }

    public static async Task<Results<Ok<ArticleTarget>, ProblemHttpResult>> GetArticleTarget(
        ColumnPages pages, long articleId, CancellationToken cancellationToken) =>
        await pages.GetArticleTargetAsync(articleId, cancellationToken) is { } target
            ? TypedResults.Ok(target)
            : Problems.NotFound("The article does not exist.");
}
