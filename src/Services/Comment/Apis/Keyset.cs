using System.Globalization;
using Dedao.ServiceDefaults.Apis;

namespace Dedao.Comment.Apis;

/// <summary>Where the last page ended in a list sorted by a time, newest first, with the id breaking ties.</summary>
internal readonly record struct Keyset(DateTime At, long Id)
{
    public static CursorCodec<Keyset> Codec { get; } = new(
        keyset => string.Create(CultureInfo.InvariantCulture, $"{keyset.At.Ticks}.{keyset.Id}"),
        text => text.Split('.') is [var ticksText, var idText]
            && long.TryParse(ticksText, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks <= DateTime.MaxValue.Ticks
            && long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? new Keyset(new DateTime(ticks, DateTimeKind.Utc), id)
                : null);
}
