namespace Dedao.Comment.Data;

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
