using Microsoft.EntityFrameworkCore;

namespace Dedao.Column.Data;

/// <summary>The catalog a fresh database starts with: 20 columns, a quarter of them free, 12 articles each.</summary>
internal static class ColumnSeed
{
    private const int ColumnCount = 20;
    private const int ArticlesPerColumn = 12;
    private const int TrialArticles = 2;

    private static readonly (string Subject, string Author)[] Subjects =
    [
        ("经济学", "薛兆丰"), ("管理学", "刘润"), ("历史", "施展"), ("心理学", "武志红"), ("哲学", "刘擎"),
        ("物理学", "万维钢"), ("商业", "宁向东"), ("写作", "李翔"), ("医学", "王立铭"), ("法律", "罗翔"),
    ];

    private static readonly DateTime FirstPublished = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static async Task SeedAsync(ColumnDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Columns.AnyAsync(cancellationToken))
        {
            return;
        }

        db.Columns.AddRange(Enumerable.Range(1, ColumnCount).Select(CreateColumn));
        await db.SaveChangesAsync(cancellationToken);
    }

    private static Column CreateColumn(int number)
    {
        var (subject, author) = Subjects[(number - 1) % Subjects.Length];
        var level = number <= Subjects.Length ? "入门" : "进阶";
        var isFree = number % 4 == 0;
        var column = new Column
        {
            Title = $"{subject}{level}{ArticlesPerColumn}讲",
            Intro = $"{author}用{ArticlesPerColumn}讲带你走进{subject}的{level}世界。",
            Author = author,
            PriceFen = isFree ? 0 : number % 2 == 0 ? 19900 : 9900,
            IsFree = isFree,
        };
        column.Articles.AddRange(Enumerable.Range(1, ArticlesPerColumn).Select(lesson => new Article
        {
            Title = $"第{lesson}讲｜{subject}{level}的第{lesson}个问题",
            Content = $"这是《{column.Title}》第{lesson}讲的正文。{author}在这一讲里回答{subject}的第{lesson}个问题。",
            PublishedAt = FirstPublished.AddDays(number * 7 + lesson),
            IsTrial = lesson <= TrialArticles,
        }));
        return column;
    }
}
