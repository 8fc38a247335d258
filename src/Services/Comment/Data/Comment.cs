using Dedao.Caching;

namespace Dedao.Comment.Data;

/// <remarks>Cached by <see cref="FeaturedTarget"/>: a target's featured comments are read on every page that shows it.</remarks>
[CachedTable<CommentDbContext>(nameof(FeaturedTarget), Series = true)]
public class Comment
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    /// <summary>The writer's nickname when they wrote it, kept here so a read never asks passport.</summary>
    public required string Nickname { get; set; }
    public CommentTarget TargetType { get; set; }
    public long TargetId { get; set; }
    public required string Content { get; set; }
    public CommentStatus Status { get; set; }
    public int LikeCount { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? FeaturedAt { get; set; }

    /// <summary>
    /// <see cref="FeaturedKey"/> of the target while the comment is featured, else null: computed by the database, so the
    /// cache loads a target's featured comments, and only those, by one indexed column.
    /// </summary>
    public string? FeaturedTarget { get; private set; }

    public static string FeaturedKey(CommentTarget type, long targetId) => $"{type}:{targetId}";
}

public enum CommentTarget
{
    Article,
    Lesson,
}

/// <summary>A comment is public only once an author features it.</summary>
public enum CommentStatus
{
    Pending,
    Featured,
}
