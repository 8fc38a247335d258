using Dedao.Comment.Data;

namespace Dedao.Comment.Apis;

public sealed record FeaturedComment(long Id, Guid UserId, string Nickname, string Content, int LikeCount, DateTime FeaturedAt);

public sealed record NewComment(string? TargetType, long? TargetId, string? Content);

public sealed record CommentCreated(long Id, CommentStatus Status);

public sealed record MyComment(
    long Id, CommentTarget TargetType, long TargetId, string Content, CommentStatus Status, int LikeCount,
    DateTime CreatedAt, DateTime? FeaturedAt);

/// <summary>How many featured comments each target has, for the pages that list them.</summary>
public sealed record FeaturedCounts(IReadOnlyDictionary<long, int> Counts);
