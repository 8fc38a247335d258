using System.Globalization;
using Dedao.Hosting.Runners;

namespace Dedao.Hosting.Orchestration;

/// <summary>Child processes: how each is specified, the environment contract it gets, and its supervision.</summary>
internal sealed partial class Orchestrator
{
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
}
