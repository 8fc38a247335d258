using System.Data.Common;
using Dedao.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Dedao.ServiceDefaults.Tests;

[Collection(BackingServers.Name)]
public sealed class WarmUpTests(BackingServersFixture servers)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_service_is_unhealthy_until_every_warm_up_has_run()
    {
        var builder = ServiceHost.CreateBuilder();
        builder.AddDefaultHealthChecks();
        builder.Services.AddSingleton<Gate>().AddWarmUp<GatedWarmUp>();
        using var host = builder.Build();

        Assert.Equal(HealthStatus.Unhealthy, await WarmUpHealthAsync(host));
        await host.StartAsync();
        var gate = host.Services.GetRequiredService<Gate>();
        await gate.Entered.Task.WaitAsync(Deadline);
        Assert.Equal(HealthStatus.Unhealthy, await WarmUpHealthAsync(host));

        gate.Release.SetResult();
        await UntilHealthyAsync(host);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_failing_warm_up_leaves_its_work_to_the_first_request_and_the_service_becomes_healthy()
    {
        var builder = ServiceHost.CreateBuilder();
        builder.AddDefaultHealthChecks();
        builder.Services.AddSingleton<Gate>().AddWarmUp<FailingWarmUp>().AddWarmUp<GatedWarmUp>();
        using var host = builder.Build();
        host.Services.GetRequiredService<Gate>().Release.SetResult();

        await host.StartAsync();
        await UntilHealthyAsync(host);
        Assert.True(host.Services.GetRequiredService<Gate>().Entered.Task.IsCompleted, "the warm-up after the failed one ran");
        await host.StopAsync();
    }

    [Fact]
    public async Task A_warm_up_that_never_ends_is_given_up_after_its_time()
    {
        var time = new FakeTimeProvider();
        var builder = ServiceHost.CreateBuilder();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.AddDefaultHealthChecks();
        builder.Services.AddSingleton<Gate>().AddWarmUp<GatedWarmUp>();
        using var host = builder.Build();

        await host.StartAsync();
        var gate = host.Services.GetRequiredService<Gate>();
        await gate.Entered.Task.WaitAsync(Deadline);
        time.Advance(WarmUpExtensions.EachWarmUpAtMost - TimeSpan.FromSeconds(1));
        Assert.Equal(HealthStatus.Unhealthy, await WarmUpHealthAsync(host));

        time.Advance(TimeSpan.FromSeconds(1));
        await UntilHealthyAsync(host);
        Assert.True(gate.Cancelled, "the warm-up was told to stop");
        await host.StopAsync();
    }

    [Fact]
    public async Task A_context_reads_one_row_of_each_of_its_tables_and_writes_nothing_before_the_service_is_healthy()
    {
        var commands = new CommandRecorder();
        var builder = servers.CreateServiceBuilder();
        builder.AddDefaultHealthChecks();
        builder.AddMySqlDbContext<NotesContext>("testdb");
        builder.Services.ConfigureDbContext<NotesContext>(db => db.AddInterceptors(commands), ServiceLifetime.Singleton);
        using var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<NotesContext>().Database.EnsureCreatedPatientlyAsync();
        }

        commands.Clear();
        await host.StartAsync();
        await UntilHealthyAsync(host);

        var warmUp = commands.Texts.Where(text => !text.StartsWith("SELECT 1", StringComparison.Ordinal)).ToList();
        var read = Assert.Single(warmUp);
        Assert.StartsWith("SELECT", read);
        Assert.Contains("FROM `Notes`", read);
        Assert.Contains("LIMIT", read);
        await host.StopAsync();
    }

    [Fact]
    public async Task The_service_asks_each_service_it_references_whether_it_is_alive_and_skips_one_that_is_away()
    {
        var asked = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var referenced = WebApplication.CreateBuilder();
        referenced.WebHost.UseUrls("http://127.0.0.1:0");
        await using var alive = referenced.Build();
        alive.MapGet("/alive", (HttpContext http) => asked.TrySetResult(http.Request.Path));
        await alive.StartAsync();

        var builder = ServiceHost.CreateBuilder();
        builder.Configuration["services:away:http:0"] = $"http://127.0.0.1:{ServiceHost.FreePort()}";
        builder.Configuration["services:alive:http:0"] = alive.Urls.Single();
        builder.AddServiceDefaults();
        using var host = builder.Build();
        await host.StartAsync();

        Assert.Equal("/alive", await asked.Task.WaitAsync(Deadline));
        await UntilHealthyAsync(host);
        await host.StopAsync();
    }

    private static async Task<HealthStatus> WarmUpHealthAsync(IHost host) => (await host.HealthAsync()).Entries["warm-up"].Status;

    private static Task UntilHealthyAsync(IHost host) => Poll.UntilAsync(
        async () => await WarmUpHealthAsync(host) == HealthStatus.Healthy, Deadline, () => "the warm-up check to turn healthy");

    private sealed class Gate
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public volatile bool Cancelled;
    }

    private sealed class GatedWarmUp(Gate gate) : IWarmUp
    {
        public async Task WarmUpAsync(CancellationToken cancellationToken)
        {
            gate.Entered.TrySetResult();
            try
            {
                await gate.Release.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                gate.Cancelled = true;
                throw;
            }
        }
    }

    private sealed class FailingWarmUp : IWarmUp
    {
        public Task WarmUpAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("The dependency is away.");
    }

    /// <summary>Every command the contexts send, as text; the health check's own query among them.</summary>
    private sealed class CommandRecorder : DbCommandInterceptor
    {
        private readonly List<string> _texts = [];

        public IReadOnlyList<string> Texts
        {
            get
            {
                lock (_texts)
                {
                    return [.. _texts];
                }
            }
        }

        public void Clear()
        {
            lock (_texts)
            {
                _texts.Clear();
            }
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return ValueTask.FromResult(result);
        }

        private void Record(DbCommand command)
        {
            lock (_texts)
            {
                _texts.Add(command.CommandText.Trim());
            }
        }
    }
}
