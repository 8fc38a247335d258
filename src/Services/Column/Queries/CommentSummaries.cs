using System.Text.Json;
using Dedao.Caching;
using Dedao.Column.Apis;

namespace Dedao.Column.Queries;

/// <summary>How many featured comments an article has, as comment counted them.</summary>
public sealed record FeaturedCount(int Count);

/// <summary>
/// How many featured comments each article of a page has, asked of comment and kept for a second
/// (<c>Caching:Storages:dedao.column.featured-counts</c>): the v2 home page is a hot read, and a count a second old serves
/// as well as a fresh one. Comment being slow or away must not cost the page: the summary then comes back empty and
/// marked unavailable, and the page renders without it.
/// </summary>
public sealed class CommentSummaries(IStorage<long, FeaturedCount> counts, ILogger<CommentSummaries> logger)
{
    public const string StorageName = "dedao.column.featured-counts";
    public const string ClientName = "comment";

    public async Task<CommentSummary> ForArticlesAsync(IReadOnlyCollection<long> articleIds, CancellationToken cancellationToken)
    {
        if (articleIds.Count == 0)
        {
            return new CommentSummary(true, new Dictionary<long, int>());
        }

        try
        {
            var found = await counts.MultiGetAsync(articleIds, cancellationToken);
            return new CommentSummary(true, found.ToDictionary(count => count.Key, count => count.Value.Count));
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or TimeoutException
                                              or Polly.ExecutionRejectedException or JsonException or CacheTierUnavailableException
                                          && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The column page goes out without its comment summary: {Reason}", exception.Message);
            return new CommentSummary(false, new Dictionary<long, int>());
        }
    }

    /// <summary>The cache's source: comment's counts of the articles the cache lacks, in one call; an article without any is left out.</summary>
    public static async Task<IReadOnlyDictionary<long, FeaturedCount>> AskCommentAsync(
        HttpClient http, IReadOnlyCollection<long> articleIds, CancellationToken cancellationToken)
    {
        var reply = await http.GetFromJsonAsync<Reply>(
            new Uri($"http://comment/internal/comments/featured-counts?targetType=article&ids={string.Join(',', articleIds)}"),
            cancellationToken);
        return (reply?.Counts ?? []).Where(count => count.Value > 0).ToDictionary(count => count.Key, count => new FeaturedCount(count.Value));
    }

    private sealed record Reply(Dictionary<long, int> Counts);
}
