using System.Diagnostics;
using Aspire.Pomelo.EntityFrameworkCore.MySql;
using Dedao.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using MySqlConnector;
using OpenTelemetry.Trace;

namespace Dedao.ServiceDefaults.Tests;

[Collection(BackingServers.Name)]
public sealed class MySqlDbContextTests(BackingServersFixture servers)
{
    private const string Section = "Aspire:Pomelo:EntityFrameworkCore:MySql";

    [Fact]
    public async Task A_pooled_context_writes_and_reads_the_database_and_reports_healthy()
    {
        var builder = servers.CreateServiceBuilder();
        builder.AddMySqlDbContext<NotesContext>("testdb");
        using var host = builder.Build();

        NotesContext first;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            first = scope.ServiceProvider.GetRequiredService<NotesContext>();
            await first.Database.EnsureCreatedPatientlyAsync();
            first.Notes.Add(new Note { Text = "专栏 first" });
            await first.SaveChangesAsync();
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
            Assert.Same(first, db);
            Assert.Contains("专栏 first", await db.Notes.Select(n => n.Text).ToListAsync());
            Assert.True(db.Database.CreateExecutionStrategy().RetriesOnFailure);
        }

        Assert.Equal(HealthStatus.Healthy, (await host.HealthAsync()).Entries[nameof(NotesContext)].Status);
    }

    [Fact]
    public async Task Settings_come_from_the_section_then_the_context_subsection_then_the_lambda()
    {
        var builder = ServiceHost.CreateBuilder();
        builder.AddDefaultHealthChecks();
        builder.Configuration[$"{Section}:ConnectionString"] = servers.ConnectionString("testdb");
        builder.Configuration[$"{Section}:CommandTimeout"] = "17";
        builder.Configuration[$"{Section}:DisableRetry"] = "true";
        builder.Configuration[$"{Section}:{nameof(NotesContext)}:CommandTimeout"] = "42";
        builder.Configuration[$"{Section}:{nameof(NotesContext)}:DisableHealthChecks"] = "false";
        builder.AddMySqlDbContext<NotesContext>("testdb", settings => settings.DisableHealthChecks = true);
        using var host = builder.Build();

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
        Assert.True(await db.Database.CanConnectAsync());
        Assert.Equal(42, db.Database.GetCommandTimeout());
        Assert.False(db.Database.CreateExecutionStrategy().RetriesOnFailure);
        Assert.DoesNotContain(nameof(NotesContext), (await host.HealthAsync()).Entries.Keys);
    }

    [Fact]
    public void ConnectionStrings_wins_over_a_connection_string_in_the_section()
    {
        var builder = servers.CreateServiceBuilder();
        builder.Configuration[$"{Section}:ConnectionString"] = $"Server=127.0.0.1;Port={ServiceHost.FreePort()}";
        builder.AddMySqlDbContext<NotesContext>("testdb");
        using var host = builder.Build();

        using var scope = host.Services.CreateScope();
        Assert.True(scope.ServiceProvider.GetRequiredService<NotesContext>().Database.CanConnect());
    }

    [Fact]
    public void A_configured_server_version_spares_the_round_trip_that_detecting_it_costs()
    {
        var unreachable = $"Server=127.0.0.1;Port={ServiceHost.FreePort()};Database=testdb";

        using var configured = BuildHost(unreachable, settings => settings.ServerVersion = "10.11.6-mariadb");
        using (var scope = configured.Services.CreateScope())
        {
            Assert.NotNull(scope.ServiceProvider.GetRequiredService<NotesContext>());
        }

        using var detected = BuildHost(unreachable, settings => settings.DisableRetry = true);
        using (var scope = detected.Services.CreateScope())
        {
            Assert.ThrowsAny<MySqlException>(() => scope.ServiceProvider.GetRequiredService<NotesContext>());
        }

        static IHost BuildHost(string connectionString, Action<PomeloEntityFrameworkCoreMySqlSettings> configure)
        {
            var builder = ServiceHost.CreateBuilder();
            builder.Configuration["ConnectionStrings:testdb"] = connectionString;
            builder.AddMySqlDbContext<NotesContext>("testdb", configure);
            return builder.Build();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MySqlConnector_spans_and_metrics_are_exported_unless_switched_off(bool disabled)
    {
        var builder = servers.CreateServiceBuilder();
        builder.Configuration[$"{Section}:DisableTracing"] = disabled.ToString();
        builder.Configuration[$"{Section}:DisableMetrics"] = disabled.ToString();
        builder.AddMySqlDbContext<NotesContext>("testdb");
        var telemetry = TelemetryCapture.AddTo(builder);
        const string Work = "Tests.Work";
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(Work));
        using var host = builder.Build();
        await host.StartAsync();

        // A database call is traced as part of the work it does, a request say; one that belongs to nothing is not traced
        // at all (UnparentedDatabaseCallsFilterTests).
        using (var work = new ActivitySource(Work))
        using (work.StartActivity("request"))
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<NotesContext>().Database.ExecuteSqlRawAsync("SELECT 1");
        }

        if (disabled)
        {
            Assert.DoesNotContain(telemetry.Activities, activity => activity.Source.Name == "MySqlConnector");
            Assert.DoesNotContain("MySqlConnector", telemetry.MetersExported(host));
        }
        else
        {
            Assert.Contains(telemetry.Activities, activity => activity.Source.Name == "MySqlConnector");
            Assert.Contains("MySqlConnector", telemetry.MetersExported(host));
        }

        await host.StopAsync();
    }

    [Theory]
    [InlineData("", 42L)]
    [InlineData(";Connection Reset=true", null)]
    public async Task A_pooled_connection_is_taken_without_a_reset_unless_the_connection_string_asks_for_one(string option, long? carried)
    {
        var builder = servers.CreateServiceBuilder();
        // A pool of its own, so that the second open gets the connection the first one returned.
        builder.Configuration["ConnectionStrings:ownpool"] =
            $"{servers.ConnectionString("testdb")};Application Name=pool-{Guid.NewGuid():N}{option}";
        builder.AddMySqlDbContext<NotesContext>("ownpool");
        using var host = builder.Build();

        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<NotesContext>().Database.ExecuteSqlRawAsync("SET @marker = 42");
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
            Assert.Equal(carried, await db.Database.SqlQueryRaw<long?>("SELECT @marker AS `Value`").SingleAsync());
        }
    }

    [Fact]
    public async Task A_save_inside_a_transaction_costs_no_savepoint_and_a_rollback_still_undoes_it()
    {
        var builder = servers.CreateServiceBuilder();
        builder.AddMySqlDbContext<NotesContext>("testdb");
        using var host = builder.Build();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
        await db.Database.EnsureCreatedPatientlyAsync();
        var text = $"rolled back {Guid.NewGuid():N}";

        var (before, after) = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var before = await SavepointsAsync(db);
            db.Notes.Add(new Note { Text = text });
            await db.SaveChangesAsync();
            db.Notes.Add(new Note { Text = $"{text} too" });
            await db.SaveChangesAsync();
            return (before, await SavepointsAsync(db));
        });

        Assert.Equal(before, after);

        db.ChangeTracker.Clear();
        Assert.False(await db.Notes.AnyAsync(n => n.Text.StartsWith(text)));
    }

    // The server's own count of SAVEPOINT statements on this connection.
    private static Task<long> SavepointsAsync(NotesContext db) => db.Database
        .SqlQueryRaw<long>("SELECT CAST(VARIABLE_VALUE AS SIGNED) AS `Value` FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'COM_SAVEPOINT'")
        .SingleAsync();

    [Fact]
    public void A_missing_connection_string_names_the_key_to_set()
    {
        var builder = ServiceHost.CreateBuilder();

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddMySqlDbContext<NotesContext>("testdb"));

        Assert.Contains("ConnectionStrings:testdb", error.Message, StringComparison.Ordinal);
    }
}
