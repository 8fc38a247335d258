using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Dedao.ServiceDefaults.Apis;

/// <summary>
/// Keeps <see cref="IdempotentRequest"/> rows in the service's own database, each write in a scope of its own so that it
/// commits apart from the request's work: the claim must be visible to a concurrent repeat before the work starts.
/// </summary>
internal sealed partial class IdempotencyStore(IServiceScopeFactory scopes, Type contextType, TimeProvider time, ILoggerFactory loggers)
{
    /// <summary>
    /// A claim older than this whose request never answered belonged to a process that died: it is taken over, unless its
    /// work was done (<see cref="IdempotentRequest.WorkDoneAt"/>).
    /// </summary>
    internal static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(1);

    /// <summary>How long an answer is kept for repeats of its key; after that the key is free again, as at Stripe.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>Rows one pruning statement deletes at most, so no delete holds its locks for long.</summary>
    private const int PruneBatchSize = 5_000;

    private readonly ILogger _logger = loggers.CreateLogger<IdempotencyStore>();

    /// <summary>
    /// The answer of work that is done has to be kept: a repeat would find the key claimed and, once the claim looks
    /// abandoned, do the work again. A database that stalls for a second fails one write on the command timeout (the
    /// purchases bench saw it); the next tries, a little later, get through. About 5 s in all, within the
    /// <see cref="IdempotencyFilter{TBody}"/>'s 10 s wait of a repeat for the first answer.
    /// </summary>
    private readonly ResiliencePipeline _answerWrites = new ResiliencePipelineBuilder { Name = "idempotency-answers" }
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
        })
        .ConfigureTelemetry(loggers)
        .Build();

    /// <summary>Claims the key: (null, id) when this request is the first, else (the first one's row, 0).</summary>
    public async Task<(IdempotentRequest? First, long Id)> BeginAsync(Guid userId, string route, string key, byte[] hash,
        CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = (DbContext)scope.ServiceProvider.GetRequiredService(contextType);
        var requests = db.Set<IdempotentRequest>();
        // INSERT IGNORE, because a repeat is expected here and EF logs a failed insert at Error. IGNORE would also truncate
        // what it should refuse: the key is checked at the edge (1 to 64 characters, and Kestrel takes ASCII headers only),
        // the route here, and the hash is a SHA-256.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(route.Length, IdempotentRequestModel.MaxRouteLength);
        while (true)
        {
            var now = time.GetUtcNow().UtcDateTime;
            // One round trip, as EF's own insert: the new row's id, or nothing when the key was claimed already.
            var claimed = await db.Database.SqlQuery<long>($"""
                INSERT IGNORE INTO idempotent_requests (UserId, Route, `Key`, RequestHash, CreatedAt)
                VALUES ({userId}, {route}, {key}, {hash}, {now});
                SELECT LAST_INSERT_ID() AS Value FROM DUAL WHERE ROW_COUNT() = 1
                """).ToListAsync(cancellationToken);
            if (claimed is [var id])
            {
                return (null, id);
            }

            var first = await requests.AsNoTracking()
                .SingleOrDefaultAsync(r => r.UserId == userId && r.Route == route && r.Key == key, cancellationToken);
            if (first is null)
            {
                // Given back by a failed first request between our insert and this read: claim it again.
                continue;
            }

            if (IsAbandoned(first, now) && first.WorkDoneAt is null
                && await requests.Where(r => r.Id == first.Id && r.StatusCode == null && r.WorkDoneAt == null)
                    .ExecuteDeleteAsync(cancellationToken) == 1)
            {
                LogTakenOver(_logger, first.Id, route, first.CreatedAt);
                continue;
            }

            if (IsAbandoned(first, now) && first.WorkDoneAt is { } done)
            {
                LogAnswerLostOnRepeat(_logger, first.Id, route, done);
            }

            return (first, 0);
        }
    }

    /// <summary>The claim's request never answered, and it is too old to be running still.</summary>
    public static bool IsAbandoned(IdempotentRequest request, DateTime now) =>
        request.StatusCode is null && request.CreatedAt < now - AbandonedAfter;

    public async Task<IdempotentRequest?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = (DbContext)scope.ServiceProvider.GetRequiredService(contextType);
        return await db.Set<IdempotentRequest>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
    }

    /// <summary>
    /// Keeps the answer of the claim's request, trying again while the database fails. Never throws: the work is done
    /// whether or not its answer is kept, and the caller is owed it either way.
    /// </summary>
    public async Task CompleteAsync(long id, StoredResponse response)
    {
        try
        {
            await _answerWrites.ExecuteAsync(async cancellationToken =>
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = (DbContext)scope.ServiceProvider.GetRequiredService(contextType);
                // SQL of our own, as the claim's: it runs for every request that moves money, and EF's ExecuteUpdate walks
                // and hashes its expression tree on each call.
                await db.Database.ExecuteSqlAsync($"""
                    UPDATE idempotent_requests
                    SET StatusCode = {response.StatusCode}, ContentType = {response.ContentType}, Location = {response.Location}, Body = {response.Body}
                    WHERE Id = {id}
                    """, cancellationToken);
            }, CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogAnswerLost(_logger, exception, id, AbandonedAfter);
        }
    }

    /// <summary>Forgets the requests older than <see cref="Retention"/>, a batch at a time.</summary>
    public async Task PruneAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = (DbContext)scope.ServiceProvider.GetRequiredService(contextType);
        var before = time.GetUtcNow().UtcDateTime - Retention;
        while (await db.Set<IdempotentRequest>().Where(r => r.CreatedAt < before).OrderBy(r => r.CreatedAt).Take(PruneBatchSize)
                   .ExecuteDeleteAsync(cancellationToken) == PruneBatchSize)
        {
        }
    }

    public async Task AbandonAsync(long id, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = (DbContext)scope.ServiceProvider.GetRequiredService(contextType);
        await db.Set<IdempotentRequest>().Where(r => r.Id == id).ExecuteDeleteAsync(cancellationToken);
    }

    [LoggerMessage(LogLevel.Error,
        "The answer to idempotent request {Id} could not be kept; a repeat of its key is refused as still running, and after {AbandonedAfter} as answered but lost")]
    private static partial void LogAnswerLost(ILogger logger, Exception exception, long id, TimeSpan abandonedAfter);

    [LoggerMessage(LogLevel.Warning,
        "Idempotent request {Id} on {Route}, claimed at {ClaimedAt}, never answered nor saved any work; a repeat takes it over")]
    private static partial void LogTakenOver(ILogger logger, long id, string route, DateTime claimedAt);

    [LoggerMessage(LogLevel.Warning,
        "Idempotent request {Id} on {Route} saved its work at {WorkDoneAt} and never answered; a repeat is told its answer was lost")]
    private static partial void LogAnswerLostOnRepeat(ILogger logger, long id, string route, DateTime workDoneAt);
}
