using System.Globalization;
using System.Reflection;
using Dedao.Testing;

namespace Dedao.Passport.Tests.Infrastructure;

/// <summary>The built Dedao.Passport.dll run as a child process with the AppHost's environment contract.</summary>
public sealed class PassportProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly SocketsHttpHandler _handler = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(1) };

    private PassportProcess(Uri baseAddress, ChildProcess process)
    {
        BaseAddress = baseAddress;
        _process = process;
    }

    public Uri BaseAddress { get; }

    public string Output => _process.Output;

    /// <param name="readinessPath">/health waits for MySQL and Redis too; /alive only for the process.</param>
    public static async Task<PassportProcess> StartAsync(string databaseConnectionString, string redisConnectionString,
        IDictionary<string, string>? settings = null, int? port = null, string readinessPath = "/health")
    {
        var assembly = AssemblyPath();
        var baseAddress = new Uri($"http://127.0.0.1:{(port ?? FreePort.Next()).ToString(CultureInfo.InvariantCulture)}");
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = baseAddress.ToString().TrimEnd('/'),
            // As the AppHost runs it: the error contract must hold in Development too.
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Passport__PublicUrl"] = PassportFixture.PublicUrl,
            // Password hashing on a shared, loaded test machine can take longer than the gateway's budget; these tests are
            // about passport's answers, the budget has its own (ServiceDefaults' FrozenServerTests, EndToEnd's EdgeUnderFaultsTests).
            ["Dedao__RequestBudget"] = "00:00:15",
            // Long enough that a loaded machine's slow hashing does not outlast a wait a test is about to observe.
            ["Passport__FirstLoginDelay"] = "00:00:03",
            ["ConnectionStrings__passportdb"] = databaseConnectionString,
            ["ConnectionStrings__redis"] = redisConnectionString,
            // Whatever telemetry target the surrounding shell has is not this test's.
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var process = ChildProcess.Start("dotnet", [assembly], environment, Path.GetDirectoryName(assembly));
        var passport = new PassportProcess(baseAddress, process);
        try
        {
            using var client = passport.CreateClient();
            await Poll.UntilAsync(
                async () => (await client.GetAsync(new Uri(readinessPath, UriKind.Relative))).IsSuccessStatusCode,
                TimeSpan.FromSeconds(90),
                () => $"passport at {baseAddress}{readinessPath} answering 200\n{process.Output}",
                () => process.HasExited ? "passport exited" : null);
        }
        catch
        {
            await passport.DisposeAsync();
            throw;
        }

        return passport;
    }

    /// <summary>A client that appears, through X-Forwarded-For, to come from its own address, so one test's failed logins never lock out another's.</summary>
    public HttpClient CreateClient(string? clientAddress = null)
    {
        var client = new HttpClient(_handler, disposeHandler: false) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", clientAddress ?? TestData.NewClientAddress());
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync();
        _process.Dispose();
        _handler.Dispose();
    }

    private static string AssemblyPath()
    {
        var path = typeof(PassportProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "PassportAssemblyPath").Value;
        return File.Exists(path) ? path! : throw new FileNotFoundException("Build Dedao.Passport first.", path);
    }
}
