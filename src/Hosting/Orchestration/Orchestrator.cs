using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Dedao.Hosting.Dashboard;
using Dedao.Hosting.Runners;
using Microsoft.Extensions.Configuration;

namespace Dedao.Hosting.Orchestration;

/// <summary>
/// Runs the app model: picks a runner per server, allocates ports, starts every resource once what it waits for is
/// ready, restarts crashed projects with backoff, and stops everything in reverse dependency order.
/// </summary>
internal sealed class Orchestrator(DistributedApplicationBuilder builder) : IDisposable
{
    private static readonly TimeSpan ServerStartTimeout = TimeSpan.FromSeconds(120);
    private static readonly HttpClient HealthClient = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource<Exception> _fatal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<IResource, List<ResourceInstance>> _instances = [];
    private readonly Dictionary<ServerResource, ServerRunner> _runners = [];
    private readonly ConcurrentDictionary<ResourceInstance, ManagedProcess> _processes = new();
    private readonly List<Task> _supervisors = [];
    private readonly PortAllocator _ports = new();
    private readonly ConsoleLog _console = new(builder.Configuration.GetValue("AppHost:Quiet", false));
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private StateFolder? _state;
    private DashboardServer? _dashboard;
    private Task? _stopped;

    public ResourceNotificationService Notifications { get; } = new();

    /// <summary>Completes when something fails that nothing can recover from, such as a server that cannot start.</summary>
    public Task<Exception> Fatal => _fatal.Task;

    public string? DashboardUrl => _dashboard?.Url;

    private StateFolder State => _state ?? throw new InvalidOperationException("The application is not started.");

    public IReadOnlyList<ResourceInstance> InstancesOf(string resourceName) =>
        _instances.FirstOrDefault(pair => pair.Key.Name == resourceName).Value
        ?? throw new ArgumentException($"There is no resource named '{resourceName}'.", nameof(resourceName));

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configuration = builder.Configuration;
        _state = StateFolder.Open(configuration["AppHost:StateFolder"] ?? Path.Combine(builder.AppHostDirectory, ".state"),
            configuration.GetValue("AppHost:Ephemeral", false));
        foreach (var leftover in Leftovers.StopAll(State.Pids))
        {
            _console.Host($"stopped {leftover}, left running by an AppHost that did not shut down");
        }

        ResolveParameters();
        ChooseRunners();
        var randomizePorts = configuration.GetValue("AppHost:RandomizePorts", false);
        AllocatePorts(randomizePorts);
        CreateInstances();
        Notifications.Changed += Announce;

        var configuredPort = configuration.GetValue("AppHost:DashboardPort", 18888);
        var dashboardPort = randomizePorts || configuredPort == 0
            ? _ports.Free()
            : _ports.Fixed(configuredPort, "dashboard", "set AppHost:DashboardPort");
        _dashboard = await DashboardServer.StartAsync(dashboardPort, Notifications, cancellationToken);

        foreach (var resource in builder.Resources)
        {
            _supervisors.Add(Task.Run(() => RunAsync(resource), CancellationToken.None));
        }

        _ = ReportReadyAsync();
    }

    private void ResolveParameters()
    {
        foreach (var parameter in builder.Resources.OfType<ParameterResource>())
        {
            var configured = builder.Configuration[$"Parameters:{parameter.Name}"];
            parameter.Resolve(configured
                ?? (parameter.Secret
                    ? State.Secret(parameter.Name)
                    : throw new DistributedApplicationException($"{parameter.Name}: set Parameters:{parameter.Name} in the AppHost's configuration.")));
        }
    }

    private void ChooseRunners()
    {
        var containers = new Lazy<ContainerRuntime?>(ContainerRuntime.Detect);
        foreach (var server in builder.Resources.OfType<ServerResource>())
        {
            var runner = ServerRunner.Choose(server, builder.Configuration, containers, Environment.GetEnvironmentVariable("PATH"));
            _runners[server] = runner;
            switch (runner.Kind)
            {
                case RunnerKind.Container:
                    runner.Containers!.RemoveLeftover(server, State);
                    break;
                case RunnerKind.Executable:
                    runner.Server.AfterExecutableStopped(server, State);
                    break;
            }
        }
    }

    private void AllocatePorts(bool randomize)
    {
        foreach (var server in _runners.Where(r => r.Value.Kind != RunnerKind.External).Select(r => r.Key))
        {
            server.Port = _ports.Free();
        }

        foreach (var resource in builder.Resources.OfType<IResourceWithEndpoint>().Where(HasEndpoint))
        {
            for (var replica = 0; replica < resource.Replicas; replica++)
            {
                // A fixed port belongs to the first replica; the others take free ones beside it.
                resource.Http.ReplicaPorts.Add(resource.Http.Port is { } port and > 0 && replica == 0 && !randomize
                    ? _ports.Fixed(port, resource.Name, $"give {resource.Name} another port")
                    : _ports.Free());
            }
        }
    }

    private static bool HasEndpoint(IResourceWithEndpoint resource) =>
        resource is not ExecutableResource executable || executable.HasHttpEndpoint;

    private void CreateInstances()
    {
        foreach (var resource in builder.Resources)
        {
            List<ResourceInstance> instances = resource switch
            {
                IResourceWithEndpoint endpoint => [.. Enumerable.Range(0, endpoint.Replicas).Select(replica =>
                    new ResourceInstance(resource, endpoint.Replicas == 1 ? resource.Name : $"{resource.Name}-{replica}", replica,
                        endpoint.HealthCheckPath is not null))],
                ServerResource or MySqlDatabaseResource => [new ResourceInstance(resource, resource.Name, 0, hasHealthCheck: true)],
                _ => [new ResourceInstance(resource, resource.Name, 0, hasHealthCheck: false)],
            };
            foreach (var instance in instances)
            {
                if (resource is IResourceWithEndpoint endpoint && HasEndpoint(endpoint))
                {
                    instance.Endpoints.Add(endpoint.Http.Url(instance.Replica));
                }

                if (resource is ServerResource server)
                {
                    instance.Runner = _runners[server].ToString();
                    instance.Endpoints.Add(server.ExternalConnectionString is null ? $"tcp://127.0.0.1:{server.Port}" : "external");
                }

                Notifications.Register(instance);
            }

            _instances[resource] = instances;
        }
    }

    private async Task RunAsync(IResource resource)
    {
        var instances = _instances[resource];
        try
        {
            await WaitForDependenciesAsync(resource, instances);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (DistributedApplicationException e)
        {
            foreach (var instance in instances)
            {
                Notifications.Update(instance, i => i.State = KnownResourceStates.FailedToStart);
            }

            _console.Host($"{resource.Name}: not started, {e.Message}");
            return;
        }

        switch (resource)
        {
            case ServerResource server when _runners[server].Kind == RunnerKind.External:
                await RunExternalServerAsync(server, instances[0]);
                break;
            case ServerResource server:
                await SuperviseAsync(instances[0], token => PrepareServerAsync(server, token),
                    token => _runners[server].Server.ProbeAsync(server, token), isServer: true);
                break;
            case MySqlDatabaseResource database:
                await CreateDatabaseAsync(database, instances[0]);
                break;
            case IResourceWithEndpoint endpoint:
                await Task.WhenAll(instances.Select(instance => SuperviseAsync(instance,
                    _ => Task.FromResult(ProcessSpecOf(endpoint, instance)),
                    endpoint.HealthCheckPath is { } path ? token => ProbeHttpAsync(instance, path, token) : null,
                    isServer: false)));
                break;
            default:
                Notifications.Update(instances[0], i =>
                {
                    i.State = KnownResourceStates.Running;
                    i.StartedAt = DateTimeOffset.UtcNow;
                });
                break;
        }
    }

    private async Task WaitForDependenciesAsync(IResource resource, List<ResourceInstance> instances)
    {
        var dependencies = ((Resource)resource).WaitsFor;
        if (dependencies.Count == 0)
        {
            return;
        }

        foreach (var instance in instances)
        {
            Notifications.Update(instance, i => i.State = KnownResourceStates.Waiting);
        }

        foreach (var dependency in dependencies)
        {
            await Notifications.WaitAsync(dependency.Name, i => i.IsReady, _stopping.Token);
        }
    }

    private async Task<ProcessSpec> PrepareServerAsync(ServerResource server, CancellationToken cancellationToken)
    {
        var runner = _runners[server];
        return runner.Kind == RunnerKind.Container
            ? runner.Containers!.RunSpec(server, runner.Server, State)
            : await runner.Server.PrepareExecutableAsync(server, runner.Executable!, State, _ports, cancellationToken);
    }

    private ProcessSpec ProcessSpecOf(IResourceWithEndpoint resource, ResourceInstance instance)
    {
        var spec = resource switch
        {
            ProjectResource project when File.Exists(project.Metadata.AssemblyPath) => new ProcessSpec(
                DotnetHost(), [project.Metadata.AssemblyPath], Path.GetDirectoryName(project.Metadata.ProjectPath)!),
            ProjectResource project => throw new DistributedApplicationException(
                $"{project.Name}: {project.Metadata.AssemblyPath} is not built; run 'dotnet build' first."),
            ExecutableResource executable => new ProcessSpec(executable.Command, executable.Args, executable.WorkingDirectory),
            _ => throw new NotSupportedException(resource.GetType().Name),
        };
        foreach (var (key, value) in EnvironmentOf(resource, instance))
        {
            spec.Environment[key] = value;
        }

        return spec;
    }

    /// <summary>design.md's environment contract: what a project learns of the world, and all it learns.</summary>
    private Dictionary<string, string> EnvironmentOf(IResourceWithEndpoint resource, ResourceInstance instance)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DOTNET_ENVIRONMENT"] = builder.EnvironmentName,
            ["ASPNETCORE_ENVIRONMENT"] = builder.EnvironmentName,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _dashboard!.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = resource.Name,
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instance.Name}",
            // Export often, so a developer sees telemetry while it is fresh.
            ["OTEL_BSP_SCHEDULE_DELAY"] = "1000",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "1000",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "5000",
        };
        if (HasEndpoint(resource))
        {
            var url = resource.Http.Url(instance.Replica);
            environment["ASPNETCORE_URLS"] = url;
            environment["PORT"] = resource.Http.ReplicaPorts[instance.Replica].ToString(CultureInfo.InvariantCulture);
        }

        foreach (var reference in ((Resource)resource).References)
        {
            switch (reference)
            {
                case IResourceWithConnectionString connection:
                    environment[$"ConnectionStrings__{reference.Name}"] = connection.GetConnectionString();
                    break;
                case IResourceWithEndpoint service when HasEndpoint(service):
                    for (var replica = 0; replica < service.Replicas; replica++)
                    {
                        environment[$"services__{reference.Name}__http__{replica}"] = service.Http.Url(replica);
                    }

                    break;
                case ParameterResource parameter:
                    environment[$"Parameters__{parameter.Name}"] = parameter.Value;
                    break;
            }
        }

        foreach (var (key, value) in ((Resource)resource).Environment)
        {
            environment[key] = value();
        }

        return environment;
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Starts the instance's process, watches its health, and restarts it with backoff when it crashes.</summary>
    private async Task SuperviseAsync(ResourceInstance instance, Func<CancellationToken, Task<ProcessSpec>> prepare,
        Func<CancellationToken, Task>? probe, bool isServer)
    {
        var token = _stopping.Token;
        var pidFile = Path.Combine(State.Pids, $"{instance.Name}.pid");
        while (!token.IsCancellationRequested)
        {
            Notifications.Update(instance, i =>
            {
                i.State = KnownResourceStates.Starting;
                i.Health = probe is null ? null : "Unhealthy";
                i.ExitCode = null;
            });

            ManagedProcess process;
            try
            {
                process = ManagedProcess.Start(await prepare(token), pidFile, line =>
                {
                    instance.AddLog(line);
                    _console.Line(instance.Name, line);
                });
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (DistributedApplicationException e)
            {
                FailToStart(instance, e.Message);
                return;
            }

            _processes[instance] = process;
            Notifications.Update(instance, i =>
            {
                i.State = KnownResourceStates.Running;
                i.StartedAt = DateTimeOffset.UtcNow;
                i.Pid = process.Pid;
            });

            var healthy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (probe is not null)
            {
                _ = WatchHealthAsync(instance, process, probe, healthy, isServer ? ServerStartTimeout : null);
            }

            var exitCode = await process.Exited;
            if (token.IsCancellationRequested)
            {
                Notifications.Update(instance, i =>
                {
                    i.State = KnownResourceStates.Finished;
                    i.Health = null;
                    i.ExitCode = exitCode;
                });
                return;
            }

            if (isServer && !healthy.Task.IsCompleted)
            {
                var lastLines = string.Join(Environment.NewLine + "    ", instance.Logs().TakeLast(5));
                FailToStart(instance, $"exited with code {exitCode} before it answered. Its last output:{Environment.NewLine}    {lastLines}");
                return;
            }

            if (exitCode == 0 && !isServer)
            {
                Notifications.Update(instance, i =>
                {
                    i.State = KnownResourceStates.Finished;
                    i.Health = null;
                    i.ExitCode = 0;
                });
                return;
            }

            var delay = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(instance.Restarts, 5))));
            Notifications.Update(instance, i =>
            {
                i.State = KnownResourceStates.Exited;
                i.ExitCode = exitCode;
                i.Health = probe is null ? null : "Unhealthy";
                i.Restarts++;
            });
            _console.Host($"{instance.Name} exited with code {exitCode}; restart {instance.Restarts} in {delay.TotalSeconds:0} s");
            try
            {
                await Task.Delay(delay, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void FailToStart(ResourceInstance instance, string reason)
    {
        Notifications.Update(instance, i => i.State = KnownResourceStates.FailedToStart);
        var message = $"{instance.Name} failed to start: {reason}";
        _console.Host(message);
        if (instance.Resource is ServerResource)
        {
            // Everything else stands on the servers: without one, nothing can run.
            _fatal.TrySetResult(new DistributedApplicationException(message));
        }
    }

    private async Task WatchHealthAsync(ResourceInstance instance, ManagedProcess process, Func<CancellationToken, Task> probe,
        TaskCompletionSource healthy, TimeSpan? startTimeout)
    {
        var started = Stopwatch.StartNew();
        string? lastError = null;
        while (!process.Exited.IsCompleted && !_stopping.IsCancellationRequested)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            attempt.CancelAfter(TimeSpan.FromSeconds(3));
            string health;
            try
            {
                await probe(attempt.Token);
                health = "Healthy";
                healthy.TrySetResult();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                health = "Unhealthy";
                lastError = e.Message;
            }

            if (instance.Health != health && !process.Exited.IsCompleted)
            {
                Notifications.Update(instance, i => i.Health = health);
            }

            if (startTimeout is { } limit && !healthy.Task.IsCompleted && started.Elapsed > limit)
            {
                _console.Host($"{instance.Name} did not answer within {limit.TotalSeconds:0} s ({lastError}); stopping it");
                await process.StopAsync(TimeSpan.FromSeconds(5));
                return;
            }

            try
            {
                await Task.WhenAny(process.Exited, Task.Delay(healthy.Task.IsCompleted ? 2000 : 250, _stopping.Token));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task ProbeHttpAsync(ResourceInstance instance, string path, CancellationToken cancellationToken)
    {
        using var response = await HealthClient.GetAsync(new Uri(new Uri(instance.Endpoints[0]), path), cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private async Task RunExternalServerAsync(ServerResource server, ResourceInstance instance)
    {
        Notifications.Update(instance, i =>
        {
            i.State = KnownResourceStates.Running;
            i.StartedAt = DateTimeOffset.UtcNow;
            i.Health = "Unhealthy";
        });
        var deadline = Stopwatch.StartNew();
        while (!_stopping.IsCancellationRequested)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            attempt.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                await _runners[server].Server.ProbeAsync(server, attempt.Token);
                Notifications.Update(instance, i => i.Health = "Healthy");
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                {
                    FailToStart(instance, $"cannot reach the server of ConnectionStrings:{server.Name} ({e.Message}); check that connection string.");
                    return;
                }
            }

            await Task.Delay(500, _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task CreateDatabaseAsync(MySqlDatabaseResource database, ResourceInstance instance)
    {
        Notifications.Update(instance, i => i.State = KnownResourceStates.Starting);
        try
        {
            await MySqlKind.CreateDatabaseAsync(database, _stopping.Token);
        }
        catch (Exception e) when (e is MySqlConnector.MySqlException or InvalidOperationException)
        {
            FailToStart(instance, $"cannot create database {database.DatabaseName}: {e.Message}");
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Notifications.Update(instance, i =>
        {
            i.State = KnownResourceStates.Running;
            i.Health = "Healthy";
            i.StartedAt = DateTimeOffset.UtcNow;
        });
    }

    private async Task ReportReadyAsync()
    {
        try
        {
            await Task.WhenAll(_instances.Keys.Select(r => Notifications.WaitAsync(r.Name, i => i.IsReady, _stopping.Token)));
        }
        catch (Exception e) when (e is OperationCanceledException or DistributedApplicationException)
        {
            return;
        }

        var external = builder.Resources.OfType<IResourceWithEndpoint>().Where(r => r.Http.IsExternal)
            .Select(r => $"{r.Name} {r.Http.Url(0)}");
        _console.Host($"ready in {_clock.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", external.Append($"dashboard {DashboardUrl}"))}");
    }

    private readonly ConcurrentDictionary<ResourceInstance, string> _announced = new();

    private void Announce(ResourceInstance instance)
    {
        var line = $"{instance.State}{(instance.Health is { } health ? $" ({health})" : "")}";
        if (_announced.TryGetValue(instance, out var previous) && previous == line)
        {
            return;
        }

        _announced[instance] = line;
        var where = instance.State == KnownResourceStates.Running ? $"  {string.Join(" ", instance.Endpoints)}" : "";
        _console.Host($"{instance.Name,-12} {line}{where}");
    }

    public Task StopAsync()
    {
        lock (_stopping)
        {
            return _stopped ??= StopCoreAsync();
        }
    }

    private async Task StopCoreAsync()
    {
        if (_state is null)
        {
            return;
        }

        await _stopping.CancelAsync();
        // A resource stops once everything that depends on it has stopped: the reverse of the start order.
        var stops = new Dictionary<IResource, Task>();
        Task StopOf(IResource resource)
        {
            if (!stops.TryGetValue(resource, out var task))
            {
                var dependents = builder.Resources.Where(r => DependsOn(r, resource)).Select(StopOf).ToList();
                task = StopResourceAsync(resource, dependents);
                stops[resource] = task;
            }

            return task;
        }

        await Task.WhenAll(builder.Resources.Select(StopOf));
        await Task.WhenAny(Task.WhenAll(_supervisors), Task.Delay(TimeSpan.FromSeconds(2)));
        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync();
        }

        _state.Dispose();
    }

    public void Dispose() => _stopping.Dispose();

    private static bool DependsOn(IResource dependent, IResource resource) =>
        dependent is Resource r && (r.WaitsFor.Contains(resource) || r.References.Contains(resource)
            || (dependent is IResourceWithParent child && child.Parent == resource));

    private async Task StopResourceAsync(IResource resource, List<Task> dependents)
    {
        await Task.WhenAll(dependents);
        var grace = resource is ServerResource ? TimeSpan.FromSeconds(8) : TimeSpan.FromSeconds(4);
        await Task.WhenAll(_instances.GetValueOrDefault(resource, []).Select(async instance =>
        {
            if (_processes.TryGetValue(instance, out var process) && !process.Exited.IsCompleted)
            {
                Notifications.Update(instance, i => i.State = KnownResourceStates.Stopping);
                await process.StopAsync(grace);
            }
        }));
        if (resource is ServerResource server && _runners.TryGetValue(server, out var runner) && runner.Kind == RunnerKind.Executable)
        {
            runner.Server.AfterExecutableStopped(server, State);
        }
    }
}
