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
    string? Nullable,
    string AssemblyName,
    string? Error,
    string? FilePath,
    TextSpan Span,
    LinePositionSpan LineSpan)
{
    public const string KeyNotFound = "key not found";
    public const string KeyNotParsable = "key not parsable";
    public const string NullableReference = "reference";
    public const string NullableValue = "value";

    public string ClassName => $"{EntityName}By{Key}Table";

    /// <summary>The key as the query compares it: a nullable value column by its value (a row without one matches no key).</summary>
    public string QueryKey => Nullable == NullableValue ? $"e.{Key}!.Value" : $"e.{Key}";

    /// <summary>The key as read from a loaded row: a nullable key column (a row without one is never asked for) is read as set.</summary>
    public string RowKey => Nullable switch
    {
        NullableReference => $"e.{Key}!",
        NullableValue => $"e.{Key}!.Value",
        _ => $"e.{Key}",
    };

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
