using Microsoft.EntityFrameworkCore;

namespace Dedao.Column.Data;

/// <summary>
/// The catalog a fresh database starts with: 20 columns by 10 authors, a quarter of them free, 10 to 14 articles each
/// of a real article's length, the first two of every column a trial. Runs only on an empty catalog.
/// </summary>
internal static class ColumnSeed
{
    private const int ColumnCount = 20;
    private const int TrialArticles = 2;

    private static readonly Subject[] Subjects =
    [
        new("经济学", "薛兆丰", ["机会成本", "边际效用", "供给与需求", "沉没成本", "比较优势", "价格歧视", "交易费用", "外部性"]),
        new("管理学", "刘润", ["目标管理", "授权", "激励", "组织结构", "复盘", "绩效", "决策", "沟通成本"]),
        new("世界史", "施展", ["轴心时代", "丝绸之路", "大航海", "工业革命", "科举", "帝国治理", "海洋秩序", "民族国家"]),
        new("心理学", "武志红", ["自我", "依恋", "情绪", "防御机制", "关系", "原生家庭", "认知偏差", "动机"]),
        new("西方哲学", "刘擎", ["自由", "正义", "理性", "存在", "怀疑论", "功利主义", "社会契约", "美德"]),
        new("物理学", "万维钢", ["相对论", "量子纠缠", "熵", "对称性", "暗物质", "时间之箭", "引力波", "不确定性原理"]),
        new("商业战略", "宁向东", ["竞争优势", "护城河", "商业模式", "定价", "渠道", "品牌", "现金流", "增长飞轮"]),
        new("写作", "李翔", ["选题", "结构", "开头", "细节", "节奏", "修改", "标题", "说服"]),
        new("生命科学", "王立铭", ["免疫", "基因", "癌症", "疫苗", "抗生素", "衰老", "新药研发", "循证医学"]),
        new("法律", "罗翔", ["罪刑法定", "正当防卫", "无罪推定", "程序正义", "契约自由", "侵权责任", "比例原则", "期待可能性"]),
    ];

    private static readonly string[] Angles =
    [
        "为什么它比你想的更重要", "一个被普遍误解的概念", "从一个真实的故事说起", "它如何改变你的每一个决定",
        "三个最常见的误区", "用它重新看一遍世界", "高手和新手的分水岭", "它的边界在哪里",
    ];

    private static readonly DateTime FirstPublished = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static async Task SeedAsync(ColumnDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Columns.AnyAsync(cancellationToken))
        {
            return;
        }

        var authors = Subjects.Select(s => new Author { Name = s.Author }).ToArray();
        db.Columns.AddRange(Enumerable.Range(1, ColumnCount).Select(number => CreateColumn(number, authors)));
        await db.SaveChangesAsync(cancellationToken);
    }

    private static Column CreateColumn(int number, Author[] authors)
    {
        var index = (number - 1) % Subjects.Length;
        var subject = Subjects[index];
        var advanced = number > Subjects.Length;
        var level = advanced ? "进阶" : "入门";
        var articleCount = 10 + number % 5;
        var isFree = number % 4 == 0;
        var column = new Column
        {
            Title = $"{subject.Name}{level}{articleCount}讲",
            Intro = $"{subject.Author}用{articleCount}讲带你走进{subject.Name}的{level}世界：从{subject.Concepts[0]}到{subject.Concepts[^1]}，" +
                    $"每一讲只讲透一个概念，再用它解释一个你每天都会遇到的问题。不需要任何基础，只需要每天十五分钟。",
            Author = authors[index],
            PriceFen = isFree ? 0 : advanced ? 19900 : 9900,
            IsFree = isFree,
        };
        column.Articles.AddRange(Enumerable.Range(1, articleCount).Select(lesson =>
        {
            var concept = subject.Concepts[(lesson - 1 + (advanced ? 3 : 0)) % subject.Concepts.Length];
            var angle = Angles[(lesson + number) % Angles.Length];
            return new Article
            {
                Title = $"第{lesson}讲｜{concept}：{angle}",
                Content = Body(subject, column.Title, concept, angle, lesson),
                PublishedAt = FirstPublished.AddDays(number * 7 + lesson),
                IsTrial = lesson <= TrialArticles,
            };
        }));
        return column;
    }

    private static string Body(Subject subject, string title, string concept, string angle, int lesson) => string.Join("\n\n",
        $"你好，我是{subject.Author}，欢迎来到《{title}》第{lesson}讲。今天我们来聊一个{subject.Name}里绕不开的概念：{concept}。" +
        $"这一讲的副标题是“{angle}”，听完之后，希望你能用它重新解释一件你最近遇到的事。",
        $"先从一个故事说起。有位读者在留言区问我：我明明做了所有该做的事，为什么结果总是不如预期？我请他把过去一年最重要的三个决定写下来，" +
        $"再逐一问自己：当时我真正比较的是什么？答案往往出人意料。很多时候，我们以为自己在做选择，其实只是在重复一个没有被看见的习惯。" +
        $"而{concept}，恰恰是让这个习惯浮出水面的那盏灯。",
        $"那么，{concept}到底是什么？教科书会给你一个定义，但定义只是起点。更重要的是理解它背后的逻辑：它描述的不是世界应该怎样，" +
        $"而是世界实际上怎样运转。{subject.Name}的研究者花了很多年才把它说清楚，而我们每个人，其实每天都在不知不觉地使用它。" +
        $"一旦你能叫出它的名字，就能在纷繁的现象里认出它。",
        $"这里有三个常见的误区。第一，把{concept}当成一个只适用于专业领域的术语，觉得它离生活很远；第二，只记住了结论，" +
        $"却忘了结论成立的前提条件；第三，也是最隐蔽的一点，用它来解释别人，却从不用它来审视自己。真正的理解，是三者都能避开。",
        $"怎么把它用起来？我给你一个简单的练习：这周找一个你正在犹豫的决定，用今天讲的{concept}把它重新描述一遍，" +
        $"写下你原来的想法和新的想法之间的差别。不必追求正确答案，重要的是看见自己思考的方式。坚持几次，你会发现，" +
        $"{subject.Name}不再是书本上的知识，而是你观察世界的一副新眼镜。",
        $"最后做个小结。今天我们从一个读者的问题出发，讲了{concept}的含义、它背后的逻辑、三个常见误区，以及一个可以马上开始的练习。" +
        $"下一讲，我们会在此基础上更进一步。留一个思考题给你：在你的工作或生活中，哪一件事最能体现{concept}？欢迎在留言区分享你的故事，我们下一讲见。");

    private sealed record Subject(string Name, string Author, string[] Concepts);
}
