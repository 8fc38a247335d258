// Ours: neither ASP.NET Core nor any package served here handles Idempotency-Key, and the answer must be kept in the service's database beside the work.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dedao.ServiceDefaults.Apis;

/// <summary>
/// api.md's <c>Idempotency-Key</c>: the first request with a key runs, and its answer (unless a 5xx, which may be retried)
/// is what every later request with the same key and the same body gets; the same key with another body is 422. Two
/// requests with one key at once: the second waits for the first's answer. A first request whose process died after its
/// work was committed leaves no answer, and a repeat is told so (409 <c>idempotency_answer_lost</c>) instead of doing the
/// work twice; one that died before is taken over after <see cref="IdempotencyStore.AbandonedAfter"/>.
/// </summary>
internal sealed class IdempotencyFilter<TBody>(IdempotencyStore store, TimeProvider time) : IEndpointFilter
{
    private static readonly TimeSpan WaitForFirst = TimeSpan.FromSeconds(10);
    // The first answer is usually there within milliseconds; a first request that is slow is so because the service is
    // loaded, and a repeat that asked its database every 25 ms for 10 s would add to that load.
    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan LongestWait = TimeSpan.FromMilliseconds(500);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.Request.Headers[IdempotencyFilter.HeaderName].ToString();
        if (key.Length is 0 or > IdempotencyFilter.MaxKeyLength)
        {
            return Problems.Coded(StatusCodes.Status400BadRequest, "idempotency_key_required",
                $"An Idempotency-Key header of 1 to {IdempotencyFilter.MaxKeyLength} characters is required.");
        }

        if (http.User.GetUserId() is not { } userId)
        {
            return TypedResults.Challenge();
        }

        var route = $"{http.Request.Method} {(http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText}";
        var hash = Hash(http.Request.Path, context.Arguments.OfType<TBody>().FirstOrDefault());
        var cancellationToken = http.RequestAborted;

        var (first, id) = await store.BeginAsync(userId, route, key, hash, cancellationToken);
        if (first is not null)
        {
            return await ReplayAsync(first, hash, cancellationToken);
        }

        object? result;
        try
        {
            using (IdempotentWork.Run(id))
            {
                result = await next(context);
            }
        }
        catch
        {
            await store.AbandonAsync(id, CancellationToken.None);
            throw;
        }

        if (result is not IResult answer)
        {
            await store.AbandonAsync(id, CancellationToken.None);
            return result;
        }

        // Run the answer into a buffer, so what is stored is byte for byte what the first caller gets.
        // Results stop writing their body once RequestAborted fires, and a caller that gave up is the very one that repeats:
        // the stored answer is written whole, whether or not this caller is still there to read it.
        var response = http.Response;
        var original = response.Body;
        var buffer = new MemoryStream();
        response.Body = buffer;
        http.RequestAborted = CancellationToken.None;
        try
        {
            await answer.ExecuteAsync(http);
        }
        finally
        {
            response.Body = original;
            http.RequestAborted = cancellationToken;
        }

        var stored = new StoredResponse(response.StatusCode, response.ContentType, response.Headers.Location.ToString(), buffer.ToArray());
        if (stored.StatusCode >= StatusCodes.Status500InternalServerError)
        {
            // The work may not have happened: the key stays free for a retry.
            await store.AbandonAsync(id, CancellationToken.None);
        }
        else
        {
            await store.CompleteAsync(id, stored);
        }

        return stored;
    }

    private async Task<IResult> ReplayAsync(IdempotentRequest first, byte[] hash, CancellationToken cancellationToken)
    {
        if (!CryptographicOperations.FixedTimeEquals(first.RequestHash, hash))
        {
            return Problems.Coded(StatusCodes.Status422UnprocessableEntity, "idempotency_key_reused",
                "This Idempotency-Key was used for a different request.");
        }

        var deadline = time.GetUtcNow() + WaitForFirst;
        var answered = first;
        for (var wait = FirstWait;
             answered is { StatusCode: null } && !IdempotencyStore.IsAbandoned(answered, time.GetUtcNow().UtcDateTime) && time.GetUtcNow() < deadline;
             wait = wait * 2 < LongestWait ? wait * 2 : LongestWait)
        {
            await Task.Delay(wait, time, cancellationToken);
            answered = await store.FindAsync(first.Id, cancellationToken);
        }

        return answered switch
        {
            { StatusCode: { } status } => new StoredResponse(status, answered.ContentType, answered.Location, answered.Body ?? [])
            {
                Replayed = true,
            },
            // The first request failed with a 5xx in the meantime and gave the key back.
            null => Problems.Coded(StatusCodes.Status409Conflict, "idempotency_key_in_use",
                "The first request with this Idempotency-Key failed; send it again."),
            // Its process died after the work was committed and before the answer was: the work stands, and is not done twice.
            { WorkDoneAt: not null } when IdempotencyStore.IsAbandoned(answered, time.GetUtcNow().UtcDateTime) =>
                Problems.Coded(StatusCodes.Status409Conflict, "idempotency_answer_lost",
                    "The first request with this Idempotency-Key was carried out, but its answer was lost; look its result up instead."),
            _ => Problems.Coded(StatusCodes.Status409Conflict, "idempotency_key_in_use",
                "A request with this Idempotency-Key is still running; send it again later."),
        };
    }

    private static byte[] Hash(PathString path, TBody? body)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(path.Value ?? ""));
        sha.AppendData(JsonSerializer.SerializeToUtf8Bytes(body));
        return sha.GetHashAndReset();
    }
}

internal static class IdempotencyFilter
{
    public const string HeaderName = "Idempotency-Key";
    public const int MaxKeyLength = 64;
}

/// <summary>The answer as first written: status, content type, Location and body.</summary>
internal sealed record StoredResponse(int StatusCode, string? ContentType, string? Location, byte[] Body) : IResult
{
    public bool Replayed { get; init; }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = ContentType;
        if (!string.IsNullOrEmpty(Location))
        {
            response.Headers.Location = Location;
        }

        if (Replayed)
        {
            response.Headers["Idempotent-Replayed"] = "true";
        }

        await response.Body.WriteAsync(Body, httpContext.RequestAborted);
    }
}
