using System.Text.Json;
using Dedao.Column.Apis;

namespace Dedao.Column.Queries;

/// <summary>
/// The v1 home page of one cached <see cref="ColumnPage"/> as the bytes that go out, rendered on first use for a reader
/// and for a subscriber and then kept with the page: a warm page is written, not serialized again. Two threads may both
/// render the same bytes once; either result is right.
/// </summary>
public sealed class ColumnHomeJson(ColumnPage page, JsonSerializerOptions options)
{
    private byte[]? forReader;
    private byte[]? forSubscriber;

    public byte[] For(bool subscribed) => subscribed
        ? forSubscriber ??= Render(subscribed: true)
        : forReader ??= Render(subscribed: false);

    private byte[] Render(bool subscribed) => JsonSerializer.SerializeToUtf8Bytes(
        new ColumnHome(page.Id, page.Title, page.Intro, page.AuthorName, page.PriceFen, page.IsFree, subscribed, page.Articles),
        options);
}
