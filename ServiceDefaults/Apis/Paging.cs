using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Dedao.ServiceDefaults.Apis;

/// <summary>One page of a list; <c>nextCursor</c> is null on the last page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>How a list writes the key of its last row into a cursor, and reads it back.</summary>
public sealed record CursorCodec<TKey>(Func<TKey, string> Format, Func<string, TKey?> Parse) where TKey : struct;

public static class Cursors
{
    /// <summary>Lists ordered by a numeric id.</summary>
    public static CursorCodec<long> Id { get; } = new(
        id => id.ToString(CultureInfo.InvariantCulture),
        text => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null);
}

/// <summary>A list's <c>?cursor=&amp;limit=</c>: the cursor is the opaque (base64url) form of the last key the client was given.</summary>
public readonly record struct PageQuery<TKey>(TKey? After, int Limit, CursorCodec<TKey> Codec) where TKey : struct
{
    /// <summary>Cuts <paramref name="rows"/>, read with <c>Take(Limit + 1)</c>, to a page; the extra row tells there is a next one.</summary>
    public Page<T> ToPage<T>(List<T> rows, Func<T, TKey> keyOf)
    {
        if (rows.Count <= Limit)
        {
            return new Page<T>(rows, null);
        }

        rows.RemoveRange(Limit, rows.Count - Limit);
        return new Page<T>(rows, Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Codec.Format(keyOf(rows[^1])))));
    }
}

public static class PageQuery
{
    private const int DefaultLimit = 20;
    private const int MaxLimit = 100;

    // Parsed from the raw strings, not bound as numbers, so a malformed value answers validation_failed like any other.
    public static PageQuery<TKey> Parse<TKey>(string? cursor, string? limit, Dictionary<string, string[]> errors,
        CursorCodec<TKey> codec) where TKey : struct
    {
        var take = DefaultLimit;
        if (!string.IsNullOrEmpty(limit)
            && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"limit must be a whole number from 1 to {MaxLimit}."];
        }

        TKey? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            after = Base64Url.IsValid(cursor) ? codec.Parse(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor))) : null;
            if (after is null)
            {
                errors["cursor"] = ["cursor is not one this list gave out."];
            }
        }

        return new PageQuery<TKey>(after, take, codec);
    }
}
