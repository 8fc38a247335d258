using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Dedao.Hosting.Testing;

/// <summary>
/// Lets a test run an AppHost's Main only as far as <c>Build()</c>: the builder is handed to the test, and Main is
/// unwound with <see cref="HostAbortedException"/>, as WebApplicationFactory does with a web app's Main.
/// </summary>
internal sealed class TestingHook(Assembly appHostAssembly, IReadOnlyDictionary<string, string?> settings, bool capturesBuild)
{
    private static readonly AsyncLocal<TestingHook?> Hooks = new();
    private readonly TaskCompletionSource<DistributedApplicationBuilder> _builder = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The hook of the AppHost whose Main runs on this thread, if a test started it.</summary>
    public static TestingHook? Current
    {
        get => Hooks.Value;
        set => Hooks.Value = value;
    }

    public Assembly AppHostAssembly { get; } = appHostAssembly;

    /// <summary>Whether <c>Build()</c> hands the builder over instead of building (only when Main runs for a test).</summary>
    public bool CapturesBuild { get; } = capturesBuild;

    public Task<DistributedApplicationBuilder> Builder => _builder.Task;

    public void Configure(IConfigurationBuilder configuration) => configuration.AddInMemoryCollection(settings);

    public void Capture(DistributedApplicationBuilder builder)
    {
        _builder.TrySetResult(builder);
        throw new HostAbortedException();
    }

    public void Fail(Exception exception) => _builder.TrySetException(exception);
}
