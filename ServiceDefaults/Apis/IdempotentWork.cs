using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Dedao.ServiceDefaults.Apis;

/// <summary>
/// Writes <see cref="IdempotentRequest.WorkDoneAt"/> of the running request's claim with the first save of the service's
/// context that has changes, in that save's own transaction. The claim commits apart from the work (a concurrent repeat
/// must see it first) and so does the answer (it exists only once the work is done); this is what ties the claim to the
/// work. A process that dies between the work's commit and its answer leaves a claim that says the work was done, and it
/// is not taken over and run a second time. And a request whose claim was taken over (it ran past
/// <see cref="IdempotencyStore.AbandonedAfter"/>) cannot commit its work any more: its claim is gone, the update of it
/// touches no row, and EF rolls the save back.
/// </summary>
internal sealed class IdempotentWork(TimeProvider time) : SaveChangesInterceptor
{
    private static readonly AsyncLocal<long?> RunningClaim = new();

    /// <summary>The claim of the request that runs from here, in the flow of this async call, until disposed.</summary>
    public static Scope Run(long claimId)
    {
        RunningClaim.Value = claimId;
        return default;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        MarkDone(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        MarkDone(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void MarkDone(DbContext? db)
    {
        if (RunningClaim.Value is not { } claimId || db is null || !db.ChangeTracker.HasChanges()
            || db.ChangeTracker.Entries<IdempotentRequest>().Any(entry => entry.Entity.Id == claimId))
        {
            return;
        }

        // Only the one column is written: the rest of this stand-in is never read.
        var claim = new IdempotentRequest { Id = claimId, Route = "", Key = "", RequestHash = [] };
        db.Attach(claim);
        claim.WorkDoneAt = time.GetUtcNow().UtcDateTime;
        db.Entry(claim).Property(c => c.WorkDoneAt).IsModified = true;
    }

    public readonly struct Scope : IDisposable
    {
        public void Dispose() => RunningClaim.Value = null;
    }
}
