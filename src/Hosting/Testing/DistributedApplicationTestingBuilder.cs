using System.Reflection;
using Microsoft.Extensions.Hosting;

namespace Dedao.Hosting.Testing;

/// <summary>
/// Starts an app model for a test, as Aspire.Hosting.Testing does: fresh temporary state, free ports everywhere,
/// resource output kept in memory instead of on the console. Dispose the application to stop everything.
/// </summary>
public static class DistributedApplicationTestingBuilder
{
    private static readonly Dictionary<string, string?> TestSettings = new()
    {
        ["AppHost:Ephemeral"] = "true",
        ["AppHost:RandomizePorts"] = "true",
        ["AppHost:Quiet"] = "true",
    };

    /// <summary>The model of the AppHost that <typeparamref name="TEntryPoint"/> belongs to, ready to build.</summary>
    public static async Task<DistributedApplicationBuilder> CreateAsync<TEntryPoint>(string[]? args = null,
        CancellationToken cancellationToken = default) where TEntryPoint : class
    {
        var assembly = typeof(TEntryPoint).Assembly;
        var entryPoint = assembly.EntryPoint
            ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no entry point.");
        var hook = new TestingHook(assembly, TestSettings, capturesBuild: true);
        var main = new Thread(() =>
        {
            TestingHook.Current = hook;
            try
            {
                entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? null : [args ?? []]);
                hook.Fail(new InvalidOperationException("The AppHost's Main returned without calling Build()."));
            }
            catch (TargetInvocationException e) when (e.InnerException is HostAbortedException)
            {
                // Main was unwound on purpose once the model was built.
            }
            catch (TargetInvocationException e)
            {
                hook.Fail(e.InnerException ?? e);
            }
        })
        { IsBackground = true, Name = $"{assembly.GetName().Name} Main" };
        main.Start();
        return await hook.Builder.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);
    }

    /// <summary>An empty model with the testing settings, for tests that need only a few resources.</summary>
    public static DistributedApplicationBuilder Create(string[]? args = null) =>
        new(args ?? [], AppContext.BaseDirectory, new TestingHook(typeof(DistributedApplicationTestingBuilder).Assembly, TestSettings, capturesBuild: false));
}
