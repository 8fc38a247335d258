using System.Text.Json;

namespace Dedao.Comment.Access;

/// <summary>The writer's nickname from passport, asked with their own token and kept on the comment so a read never asks.</summary>
public sealed class Nicknames(HttpClient http, ILogger<Nicknames> logger)
{
    /// <summary>What a comment shows when passport cannot say: the comment is still worth keeping.</summary>
    public const string Unknown = "得到读者";

    public async Task<string> OfCallerAsync(string authorization, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://passport/api/v1/passport/me"));
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            using var response = await http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            var me = await response.Content.ReadFromJsonAsync<Me>(cancellationToken);
            return me?.Nickname is { Length: > 0 } nickname ? nickname : Unknown;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or Polly.ExecutionRejectedException or JsonException
                                          && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(exception, "Passport did not give the writer's nickname; the comment is kept under {Nickname}", Unknown);
            return Unknown;
        }
    }

    private sealed record Me(string? Nickname);
}
