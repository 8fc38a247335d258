using System.Collections.Concurrent;
using Dedao.Hosting.Orchestration;
using Dedao.Hosting.Testing;

namespace Dedao.Hosting.Tests;

public sealed class OrchestrationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_resource_starts_only_once_what_it_waits_for_is_healthy()
    {
        var builder = DistributedApplicationTestingBuilder.Create();
        var redis = builder.AddRedis("redis");
        builder.AddExecutable("worker", "sleep", "/", "300").WaitFor(redis);
        await using var app = builder.Build();
        var changes = new ConcurrentQueue<(string Name, string State, string? Health)>();
        app.ResourceNotifications.Changed += instance => changes.Enqueue((instance.Name, instance.State, instance.Health));

        await app.StartAsync();
        await app.ResourceNotifications.WaitForResourceAsync("worker", KnownResourceStates.Running).WaitAsync(Timeout);

        var log = changes.ToList();
        var workerWaiting = log.FindIndex(c => c.Name == "worker" && c.State == KnownResourceStates.Waiting);
        var redisHealthy = log.FindIndex(c => c.Name == "redis" && c.Health == "Healthy");
        var workerStarting = log.FindIndex(c => c.Name == "worker" && c.State == KnownResourceStates.Starting);
        Assert.InRange(workerWaiting, 0, redisHealthy - 1);
        Assert.True(workerStarting > redisHealthy, $"worker started at change {workerStarting}, redis healthy at {redisHealthy}");
    }

    [Fact]
    public async Task A_project_gets_the_environment_contract()
    {
        var folder = Directory.CreateTempSubdirectory("dedao-env-").FullName;
        var output = Path.Combine(folder, "env.txt");
        var builder = DistributedApplicationTestingBuilder.Create();
        var redis = builder.AddRedis("redis");
        var api = builder.AddExecutable("api", "sleep", "/", "300").WithHttpEndpoint().WithReplicas(2);
        builder.AddExecutable("client", "sh", folder, "-c", $"env > {output}.part && mv {output}.part {output} && exec sleep 300")
            .WithHttpEndpoint()
            .WithReference(redis).WithReference(api).WaitFor(redis)
            .WithEnvironment("Feature__Flag", "on");
        await using var app = builder.Build();
        await app.StartAsync();

        await Eventually.True(() => File.Exists(output), Timeout, "the client writing its environment");
        var environment = File.ReadAllLines(output).Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2).ToDictionary(pair => pair[0], pair => pair[1]);

        Assert.Equal(app.GetConnectionString("redis"), environment["ConnectionStrings__redis"]);
        Assert.Matches(@"^127\.0\.0\.1:\d+,password=\w{24}$", environment["ConnectionStrings__redis"]);
        var apiUrls = app.ResourceNotifications.Snapshots().Where(s => s.Name.StartsWith("api-", StringComparison.Ordinal))
            .Select(s => s.Endpoints.Single()).Order().ToList();
        Assert.Equal(2, apiUrls.Count);
        Assert.Equal(apiUrls, new[] { environment["services__api__http__0"], environment["services__api__http__1"] }.Order());
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", environment["ASPNETCORE_URLS"]);
        Assert.Equal(app.DashboardUrl, environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("client", environment["OTEL_SERVICE_NAME"]);
        Assert.Equal("service.instance.id=client", environment["OTEL_RESOURCE_ATTRIBUTES"]);
        Assert.Equal("on", environment["Feature__Flag"]);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_crashing_process_is_restarted_with_backoff_and_its_restarts_counted()
    {
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.AddExecutable("crasher", "sh", "/", "-c", "exit 3");
        await using var app = builder.Build();
        await app.StartAsync();

        var snapshot = await Eventually.Get(
            () => app.ResourceNotifications.Snapshots().SingleOrDefault(s => s.Name == "crasher" && s.Restarts >= 2),
            Timeout, "two restarts");
        Assert.Equal(3, snapshot.ExitCode ?? 3);
    }

    [Fact]
    public async Task Stopping_leaves_no_process_behind()
    {
        var builder = DistributedApplicationTestingBuilder.Create();
        var redis = builder.AddRedis("redis");
        builder.AddExecutable("worker", "sleep", "/", "300").WaitFor(redis);
        var app = builder.Build();
        await app.StartAsync();
        await app.ResourceNotifications.WaitForResourceAsync("worker", KnownResourceStates.Running).WaitAsync(Timeout);
        var pids = app.ResourceNotifications.Snapshots().Where(s => s.Pid is not null).Select(s => s.Pid!.Value).ToList();
        Assert.Equal(2, pids.Count);
        Assert.All(pids, pid => Assert.True(Directory.Exists($"/proc/{pid}")));

        await app.DisposeAsync();

        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} is still running"));
        Assert.All(app.ResourceNotifications.Snapshots().Where(s => s.Pid is not null),
            s => Assert.Equal(KnownResourceStates.Finished, s.State));
    }

    [Fact]
    public async Task A_process_left_by_an_apphost_that_was_killed_is_stopped_by_the_next_one()
    {
        var state = Directory.CreateTempSubdirectory("dedao-state-").FullName;
        string[] args = ["--AppHost:Ephemeral=false", $"--AppHost:StateFolder={state}"];
        var first = DistributedApplicationTestingBuilder.Create(args);
        first.AddExecutable("worker", "sleep", "/", "300");
        await using var killed = first.Build();
        await killed.StartAsync();
        var orphan = (await Eventually.Get(() => killed.ResourceNotifications.Snapshots().SingleOrDefault(s => s.Pid is not null),
            Timeout, "the worker to start")).Pid!.Value;

        // The first AppHost never stops: as if it had been killed, its worker is still there for the second one to find.
        var second = DistributedApplicationTestingBuilder.Create(args);
        second.AddParameter("nothing", secret: true);
        await using var next = second.Build();
        await next.StartAsync();

        Assert.False(Directory.Exists($"/proc/{orphan}"), $"the orphaned worker {orphan} is still running");
    }

    [Fact]
    public async Task A_fixed_port_in_use_fails_at_once_naming_the_resource_and_port()
    {
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
        var builder = DistributedApplicationTestingBuilder.Create(["--AppHost:RandomizePorts=false", "--AppHost:DashboardPort=0"]);
        builder.AddExecutable("web", "sleep", "/", "300").WithHttpEndpoint(port: port);
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync());

        Assert.Contains($"web: port {port} is already in use", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_connection_string_ends_the_run_with_one_line_naming_the_resource_and_the_fix()
    {
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var builder = DistributedApplicationTestingBuilder.Create(
            [$"--ConnectionStrings:redis=127.0.0.1:{port},connectTimeout=500", "--AppHost:ExternalServerTimeout=00:00:03"]);
        var redis = builder.AddRedis("redis");
        builder.AddExecutable("worker", "sleep", "/", "300").WaitFor(redis);
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.RunAsync().WaitAsync(TimeSpan.FromMinutes(1)));

        Assert.StartsWith("redis failed to start: cannot reach the server of ConnectionStrings:redis", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("check that connection string.", error.Message, StringComparison.Ordinal);
        Assert.Equal(KnownResourceStates.FailedToStart,
            app.ResourceNotifications.Snapshots().Single(s => s.Name == "worker").State);
    }
}
