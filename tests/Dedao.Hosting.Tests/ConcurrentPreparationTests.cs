using Aspire.Hosting;
using Dedao.Testing;

namespace Dedao.Hosting.Tests;

/// <summary>Test suites run in parallel, each preparing its own MariaDB: preparations at the same moment must not collide.</summary>
public sealed class ConcurrentPreparationTests
{
    [Fact]
    public async Task Five_mysql_servers_prepared_at_once_all_come_up()
    {
        var builder = TestAppModel.CreateEmpty("--AppHost:Runtime=executable");
        // Sharing /tmp, six installers at once failed 5 times in 18, so five at once would all pass about one time in five.
        var names = Enumerable.Range(1, 5).Select(i => $"mysql{i}").ToArray();
        foreach (var name in names)
        {
            builder.AddMySql(name);
        }

        await using var app = await builder.BuildAsync();
        await app.StartAsync();

        await ResourceHealth.WaitForAllHealthyAsync(app, TimeSpan.FromMinutes(3), names);
    }
}
