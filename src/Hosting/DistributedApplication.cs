using System.Reflection;
using System.Runtime.InteropServices;
using Dedao.Hosting.Orchestration;
using Dedao.Hosting.Testing;

namespace Dedao.Hosting;

/// <summary>The running app model: Aspire's <c>DistributedApplication</c>, on this repository's own engine.</summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly Orchestrator _orchestrator;

    internal DistributedApplication(DistributedApplicationBuilder builder) => _orchestrator = new Orchestrator(builder);

    public static DistributedApplicationBuilder CreateBuilder(string[] args)
    {
        var hook = TestingHook.Current;
        return new DistributedApplicationBuilder(args,
            DistributedApplicationBuilder.AppHostDirectoryOf(hook?.AppHostAssembly ?? Assembly.GetEntryAssembly()), hook);
    }

    public ResourceNotificationService ResourceNotifications => _orchestrator.Notifications;

    public string? DashboardUrl => _orchestrator.DashboardUrl;

    public Task StartAsync(CancellationToken cancellationToken = default) => _orchestrator.StartAsync(cancellationToken);

    public Task StopAsync() => _orchestrator.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _orchestrator.Dispose();
    }

    /// <summary>An HttpClient addressed to the first replica of a project or executable.</summary>
    public HttpClient CreateHttpClient(string resourceName) =>
        new() { BaseAddress = new Uri(_orchestrator.InstancesOf(resourceName)[0].Endpoints[0]) };

    public string GetConnectionString(string resourceName) =>
        _orchestrator.InstancesOf(resourceName)[0].Resource is IResourceWithConnectionString resource
            ? resource.GetConnectionString()
            : throw new ArgumentException($"'{resourceName}' has no connection string.", nameof(resourceName));

    /// <summary>Runs until Ctrl+C or SIGTERM, or until something fails that nothing can recover from.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        try
        {
            await StartAsync(stop.Token);
            var stopped = Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            if (await Task.WhenAny(stopped, _orchestrator.Fatal) == _orchestrator.Fatal)
            {
                throw await _orchestrator.Fatal;
            }
        }
        finally
        {
            await StopAsync();
        }
    }

    /// <summary>Runs the application; a problem the user can fix ends it with one line and exit code 1.</summary>
    public void Run()
    {
        try
        {
            RunAsync().GetAwaiter().GetResult();
        }
        catch (DistributedApplicationException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Environment.ExitCode = 1;
        }
    }
}
