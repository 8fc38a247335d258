using Dedao.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Messaging;

public static class MessagingModelBuilderExtensions
{
    /// <summary>The <c>outbox</c> and <c>inbox</c> tables; call from <c>OnModelCreating</c> and add a migration.</summary>
    public static ModelBuilder AddMessagingTables(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.ToTable("outbox");
            outbox.HasKey(m => m.Id);
            outbox.Property(m => m.Id).HasColumnName("id");
            outbox.Property(m => m.MessageId).HasColumnName("message_id");
            outbox.Property(m => m.EventName).HasColumnName("event_name").HasMaxLength(200);
            outbox.Property(m => m.Body).HasColumnName("body");
            outbox.Property(m => m.TraceParent).HasColumnName("traceparent").HasMaxLength(55);
            outbox.Property(m => m.TraceState).HasColumnName("tracestate").HasMaxLength(512);
            outbox.Property(m => m.CreatedAt).HasColumnName("created_at").HasConversion<UtcDateTimeConverter>();
            outbox.Property(m => m.SentAt).HasColumnName("sent_at").HasConversion<UtcDateTimeConverter>();
            // The relay's "unsent, oldest first" and the pruner's "sent long ago" both walk this index.
            outbox.HasIndex(m => new { m.SentAt, m.Id });
        });
        modelBuilder.Entity<InboxMessage>(inbox =>
        {
            inbox.ToTable("inbox");
            inbox.HasKey(m => new { m.MessageId, m.Consumer });
            inbox.Property(m => m.MessageId).HasColumnName("message_id");
            inbox.Property(m => m.Consumer).HasColumnName("consumer").HasMaxLength(200);
            inbox.Property(m => m.ReceivedAt).HasColumnName("received_at").HasConversion<UtcDateTimeConverter>();
            // The pruner's "received long ago": without it, each prune scanned (and locked) the whole inbox.
            inbox.HasIndex(m => m.ReceivedAt);
        });
        return modelBuilder;
    }
}
