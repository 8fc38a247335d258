using Microsoft.EntityFrameworkCore;

namespace Dedao.Comment.Data;

/// <summary>
/// A few featured comments for a fresh database, on the trial articles of the first column and the first lesson of the
/// first course, the ids column's and course's seeds give them. Runs only while there are no comments at all.
/// </summary>
internal static class CommentSeed
{
    private static readonly DateTime FirstFeatured = new(2024, 2, 1, 8, 0, 0, DateTimeKind.Utc);

    private static readonly (CommentTarget Type, long Id, string Nickname, string Content, int Likes)[] Featured =
    [
        (CommentTarget.Article, 1, "清风徐来", "机会成本这个概念我以前只在考试里见过，今天才明白，原来我每天放弃的那些选项，才是真正的代价。", 128),
        (CommentTarget.Article, 1, "老周在路上", "讲到“用它来解释别人，却从不用它来审视自己”，被击中了。明天开会前先把自己的决定写下来。", 96),
        (CommentTarget.Article, 1, "Momo", "思考题：我辞职读研那一年，放弃的不只是工资，还有三年的行业经验。现在回头看，值得，但当时确实没算清楚。", 57),
        (CommentTarget.Article, 2, "一只鲸", "边际效用递减解释了为什么第三块蛋糕没有第一块好吃，也解释了为什么加薪的快乐只持续两周。", 73),
        (CommentTarget.Article, 2, "林间小路", "练习做了：把“要不要换手机”重新描述了一遍，结论是不换。省下的钱买了这门课的进阶版。", 41),
        (CommentTarget.Lesson, 1, "阿杰", "第一课的练习很实用，开会前先想清楚“我希望对方听完之后做什么”，会议时间短了一半。", 88),
        (CommentTarget.Lesson, 1, "晴天", "老师说沟通的目的是达成共识而不是赢得争论，这句话我抄在了便利贴上。", 35),
    ];

    public static async Task SeedAsync(CommentDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Comments.AnyAsync(cancellationToken))
        {
            return;
        }

        db.Comments.AddRange(Featured.Select((comment, index) => new Comment
        {
            // Seeded readers, with ids of their own so no real reader is one of them.
            UserId = new Guid($"00000000-0000-0000-0000-{index + 1:D12}"),
            Nickname = comment.Nickname,
            TargetType = comment.Type,
            TargetId = comment.Id,
            Content = comment.Content,
            Status = CommentStatus.Featured,
            LikeCount = comment.Likes,
            CreatedAt = FirstFeatured.AddHours(index),
            FeaturedAt = FirstFeatured.AddHours(index + 1),
        }));
        await db.SaveChangesAsync(cancellationToken);
    }
}
