using System.Text.Json;
using Dedao.Column.Apis;

namespace Dedao.Column.Queries;

/// <summary>
/// How many featured comments each article of a page has, asked of comment. Comment being slow or away must not cost
/// the page: the summary then comes back empty and marked unavailable, and the page renders without it.
/// </summary>
public sealed class CommentSummaries(HttpClient http, ILogger<CommentSummaries> logger)
{
    public async Task<CommentSummary> ForArticlesAsync(IReadOnlyCollection<long> articleIds, CancellationToken cancellationToken)
    {
        if (articleIds.Count == 0)
        {
            return new CommentSummary(true, new Dictionary<long, int>());
        }

        try
        {
            var reply = await http.GetFromJsonAsync<Reply>(
                new Uri($"http://comment/internal/comments/featured-counts?targetType=article&ids={string.Join(',', articleIds)}"),
                cancellationToken);
            return new CommentSummary(true, reply?.Counts ?? new Dictionary<long, int>());
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or Polly.ExecutionRejectedException or JsonException
                                          && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The column page goes out without its comment summary: {Reason}", exception.Message);
            return new CommentSummary(false, new Dictionary<long, int>());
        }
    }

    private sealed record Reply(Dictionary<long, int> Counts);
}
