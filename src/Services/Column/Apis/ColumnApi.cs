using Dedao.Column.Data;
using Dedao.ServiceDefaults.Apis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Column.Apis;

public static class ColumnApi
{
    public static IEndpointRouteBuilder MapColumnApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/columns").AllowAnonymous();

        api.MapGet("/", ListColumns);
        api.MapGet("/{id:long}", GetColumn);

        return app;
    }

    public static async Task<Results<Ok<Page<ColumnSummary>>, ValidationProblem>> ListColumns(
        ColumnDbContext db, string? free, string? cursor, string? limit, CancellationToken cancellationToken)
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
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var columns = db.Columns.AsNoTracking();
        if (isFree is { } wanted)
        {
            columns = columns.Where(c => c.IsFree == wanted);
        }

        if (page.After is { } after)
        {
            columns = columns.Where(c => c.Id > after);
        }

        var rows = await columns
            .OrderBy(c => c.Id)
            .Take(page.Limit + 1)
            .Select(c => new ColumnSummary(c.Id, c.Title, c.Author, c.PriceFen, c.IsFree, c.Articles.Count))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(page.ToPage(rows, c => c.Id));
    }

    public static async Task<Results<Ok<ColumnHome>, ProblemHttpResult>> GetColumn(
        ColumnDbContext db, long id, CancellationToken cancellationToken)
    {
        var column = await db.Columns.AsNoTracking()
            .Where(c => c.Id == id)
            .Select(c => new ColumnHome(
                c.Id, c.Title, c.Intro, c.Author, c.PriceFen, c.IsFree,
                // Nobody is subscribed until this service keeps a projection of paid orders.
                false,
                c.Articles
                    .OrderBy(a => a.PublishedAt).ThenBy(a => a.Id)
                    .Select(a => new ArticleSummary(a.Id, a.Title, a.PublishedAt, a.IsTrial))
                    .ToList()))
            .SingleOrDefaultAsync(cancellationToken);

        return column is null ? Problems.NotFound("The column does not exist.") : TypedResults.Ok(column);
    }
}

public sealed record ColumnSummary(long Id, string Title, string Author, long PriceFen, bool IsFree, int ArticleCount);

public sealed record ColumnHome(
    long Id, string Title, string Intro, string Author, long PriceFen, bool IsFree, bool Subscribed,
    IReadOnlyList<ArticleSummary> Articles);

public sealed record ArticleSummary(long Id, string Title, DateTime PublishedAt, bool IsTrial);
