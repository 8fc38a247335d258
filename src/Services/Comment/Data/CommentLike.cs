namespace Dedao.Comment.Data;

/// <summary>One reader's like of one comment; its key is what makes a like count once.</summary>
public class CommentLike
{
    public long CommentId { get; set; }
    public Guid UserId { get; set; }
    public DateTime LikedAt { get; set; }
}
