using Microsoft.EntityFrameworkCore;

namespace Dedao.ServiceDefaults.Apis;

/// <summary>
/// The first request a user made with an <c>Idempotency-Key</c> on a route, and once it is answered, the answer that every
/// repeat gets. A row without a status is a request still running.
/// </summary>
public class IdempotentRequest
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    /// <summary>The method and route pattern: one key may be used on two routes for two different things.</summary>
    public required string Route { get; set; }
    public required string Key { get; set; }
    /// <summary>SHA-256 of the path and the body as bound, so a reused key with another request is told apart.</summary>
    public required byte[] RequestHash { get; set; }
    public int? StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    public byte[]? Body { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>
    /// When the request's work first saved changes: written in the work's own transaction (<see cref="IdempotentWork"/>),
    /// so a claim whose answer never came is known to have done its work, and is not run again.
    /// </summary>
    public DateTime? WorkDoneAt { get; set; }
}

public static class IdempotentRequestModel
{
    public const int MaxRouteLength = 128;

    /// <summary>The <c>idempotent_requests</c> table, in the service's own database (a migration adds it).</summary>
    public static ModelBuilder AddIdempotencyTable(this ModelBuilder modelBuilder) =>
        modelBuilder.Entity<IdempotentRequest>(request =>
        {
            request.ToTable("idempotent_requests");
            request.Property(r => r.Route).HasMaxLength(MaxRouteLength);
            // Compared byte for byte: "Abc" and "abc" are two keys, where the server's default collation took them for one.
            request.Property(r => r.Key).HasMaxLength(IdempotencyFilter.MaxKeyLength).UseCollation("utf8mb4_bin");
            request.Property(r => r.RequestHash).HasMaxLength(32);
            request.Property(r => r.ContentType).HasMaxLength(128);
            request.Property(r => r.Location).HasMaxLength(256);
            // What makes two concurrent first requests one: the second insert fails and waits for the first's answer.
            request.HasIndex(r => new { r.UserId, r.Route, r.Key }).IsUnique();
            // The pruner's "answered more than a day ago".
            request.HasIndex(r => r.CreatedAt);
        });
}
