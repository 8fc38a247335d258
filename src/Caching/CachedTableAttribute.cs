using Microsoft.EntityFrameworkCore;

namespace Dedao.Caching;

/// <summary>
/// Caches this EF entity's table by one column: the source generator (Dedao.Caching.Generators) writes its
/// <see cref="TableStorage{TContext, TKey, TValue}"/> and registers it in <c>AddCachedTables()</c>, which makes
/// <c>IStorage&lt;key, entity&gt;</c> (or <c>IStorage&lt;key, IReadOnlyList&lt;entity&gt;&gt;</c> for a series) injectable.
/// </summary>
/// <param name="keyColumn">
/// The property read by: the primary key, or a column many rows share (then set <see cref="Series"/>). A nullable key
/// column (say one the database computes for some rows only) caches just the rows that have one.
/// </param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class CachedTableAttribute<TContext>(string keyColumn) : Attribute
    where TContext : DbContext
{
    public string KeyColumn { get; } = keyColumn;

    /// <summary>Many rows share a key (an article's <c>ColumnId</c>): the value is the list of them.</summary>
    public bool Series { get; init; }
}
