using Dedao.Column.Apis;
using Dedao.Column.Data;
using Dedao.ServiceDefaults.Apis;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Column.Queries;

/// <summary>The list of columns, paged by id, read from the database on each request: it is not one of the cached reads.</summary>
public sealed class ColumnList(ColumnDbContext db)
{
    public async Task<Page<ColumnSummary>> ListAsync(bool? isFree, PageQuery<long> page, CancellationToken cancellationToken)
    {
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
            .Select(c => new ColumnSummary(c.Id, c.Title, c.Author.Name, c.PriceFen, c.IsFree, c.Articles.Count))
            .ToListAsync(cancellationToken);
        return page.ToPage(rows, c => c.Id);
    }
}
