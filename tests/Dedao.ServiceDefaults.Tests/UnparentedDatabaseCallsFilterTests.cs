using System.Diagnostics;
using Dedao.ServiceDefaults.Data;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Dedao.ServiceDefaults.Tests;

public sealed class UnparentedDatabaseCallsFilterTests
{
    [Fact]
    public void A_database_call_outside_any_span_is_not_exported_and_one_inside_a_span_is()
    {
        using var database = new ActivitySource($"Tests.Database.{Guid.NewGuid()}");
        using var work = new ActivitySource($"Tests.Work.{Guid.NewGuid()}");
        var ended = new Exported();
        using (Sdk.CreateTracerProviderBuilder().AddSource(database.Name, work.Name)
            .AddProcessor(new UnparentedDatabaseCallsFilter(database.Name)).AddProcessor(ended).Build())
        {
            database.StartActivity("poll")?.Dispose();
            using (work.StartActivity("request"))
            {
                database.StartActivity("query")?.Dispose();
            }

            work.StartActivity("timer")?.Dispose();
        }

        Assert.Equal(["query", "request", "timer"], ended.Names.Order());
    }

    private sealed class Exported : BaseProcessor<Activity>
    {
        public List<string> Names { get; } = [];

        public override void OnEnd(Activity data) => Names.Add(data.DisplayName);
    }
}
