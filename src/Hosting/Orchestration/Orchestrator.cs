using System.Collections.Concurrent;
using System.Diagnostics;
using Dedao.Hosting.Dashboard;
using Dedao.Hosting.Runners;
using Microsoft.Extensions.Configuration;

namespace Dedao.Hosting.Orchestration;

/// <summary>
/// Runs the app model: picks a runner per server, allocates ports, starts every resource once what it waits for is
/// ready, restarts crashed projects with backoff, and stops everything in reverse dependency order.
/// </summary>
internal sealed partial class Orchestrator(DistributedApplicationBuilder builder) : IDisposable
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
