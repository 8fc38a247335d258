using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Dedao.Caching.Generators;

/// <summary>What one [CachedTable] asks for, in plain values so the incremental pipeline can compare runs.</summary>
internal sealed record CachedTable(
    string Namespace,
    string Entity,
    string EntityName,
    string Context,
    string Key,
    string KeyType,
    bool Series,
    bool NullableKey,
    string AssemblyName,
    string? Error,
    string? FilePath,
    TextSpan Span,
    LinePositionSpan LineSpan)
{
    public string ClassName => $"{EntityName}By{Key}Table";

    /// <summary>The key as read from a loaded row: a nullable key column (a row without one is never asked for) is read as set.</summary>
    public string RowKey => NullableKey ? $"e.{Key}!" : $"e.{Key}";

    public string ValueType => Series ? $"global::System.Collections.Generic.IReadOnlyList<{Entity}>" : Entity;

    /// <summary>Names the storage in Redis keys, metrics and configuration: <c>dedao.column.article-by-column-id</c>.</summary>
    public string StorageName => $"{AssemblyName}.{Kebab(EntityName)}-by-{Kebab(Key)}".ToLowerInvariant();

    public Location Location => FilePath is null ? Location.None : Location.Create(FilePath, Span, LineSpan);

    private static string Kebab(string pascal)
    {
        var text = new StringBuilder();
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]) && !char.IsUpper(pascal[i - 1]))
            {
                text.Append('-');
            }

            text.Append(pascal[i]);
        }

        return text.ToString();
    }
}
