namespace Dedao.Contracts;

/// <summary>Column or course granted the buyer of an order access; order moves it from paid to completed.</summary>
public sealed record AccessGranted(long OrderId, Guid UserId, ProductType ProductType, long ProductId) : IIntegrationEvent
{
    public static string EventName => "access.granted";
}

/// <summary>A product, or one article or lesson of it (the other id null), changed: caches and projections refresh.</summary>
public sealed record ContentChanged(ProductType ProductType, long ProductId, long? ArticleId, long? LessonId) : IIntegrationEvent
{
    public static string EventName => "content.changed";
}

public sealed record CommentFeatured(long CommentId, CommentTargetType TargetType, long TargetId, Guid UserId)
    : IIntegrationEvent
{
    public static string EventName => "comment.featured";
}
