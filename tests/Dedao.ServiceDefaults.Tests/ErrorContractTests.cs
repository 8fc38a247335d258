using System.Net;
using System.Text.Json;
using System.Text;
using Dedao.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace Dedao.ServiceDefaults.Tests;

/// <summary>
/// The error contract every service gets from AddServiceDefaults, in Development (as the AppHost runs services):
/// problem+json with a code whatever the Accept header, nothing of the exception, 503 for lost dependencies and for
/// work that outlives the request's budget.
/// </summary>
public sealed class ErrorContractTests : IAsyncLifetime, IDisposable
{
    private WebApplication? _app;
    private HttpClient _client = null!;
    private readonly TaskCompletionSource _slowWorkCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "None",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        _app = builder.Build();
        _app.MapGet("/throws", string () => throw new InvalidOperationException("db-primary.internal:3306 said SELECT secret"));
        _app.MapGet("/dependency/{kind}", string (string kind) => throw kind switch
        {
            "timeout" => new TimeoutException("redis at 10.0.0.7 timed out"),
            "open-circuit" => new BrokenCircuitException("the circuit to 10.0.0.7 is open"),
            _ => new HttpRequestException("10.0.0.7 refused the connection"),
        });
        _app.MapGet("/slow", async (CancellationToken cancellationToken) =>
        {
            await using var _ = cancellationToken.Register(() => _slowWorkCancelled.TrySetResult());
            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
            return "late";
        });
        _app.MapPost("/echo", (Note note) => note.Text);
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        _client.DefaultRequestHeaders.Accept.ParseAdd("text/html");
    }

    [Fact]
    public async Task An_unexpected_exception_is_500_internal_error_with_nothing_of_it()
    {
        using var response = await _client.GetAsync(new Uri("/throws", UriKind.Relative));

        var text = (await HttpAssert.ProblemAsync(response, HttpStatusCode.InternalServerError, "internal_error")).GetRawText();
        // Nothing that only the message held: the trace id is random hex, so the markers are not.
        Assert.DoesNotContain("db-primary", text, StringComparison.Ordinal);
        Assert.DoesNotContain("SELECT", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("timeout")]
    [InlineData("open-circuit")]
    [InlineData("unreachable")]
    public async Task A_dependency_out_of_reach_is_503_service_unavailable_with_retry_after(string kind)
    {
        using var response = await _client.GetAsync(new Uri($"/dependency/{kind}", UriKind.Relative));

        var text = (await HttpAssert.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "service_unavailable")).GetRawText();
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.DoesNotContain("10.0.0.7", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Work_that_outlives_the_request_budget_is_cancelled_and_answered_503()
    {
        using var response = await _client.GetAsync(new Uri("/slow", UriKind.Relative));

        // Not timed: a loaded machine stretches any bound. The 503 is the budget's (the work itself would answer 200
        // after 30 s), and the work was told to stop rather than left running.
        await HttpAssert.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "service_unavailable");
        Assert.True(_slowWorkCancelled.Task.IsCompleted, "the work's token was not cancelled");
    }

    [Theory]
    [InlineData("{", "application/json", HttpStatusCode.BadRequest, "invalid_body")]
    [InlineData("{\"text\":1}", "application/json", HttpStatusCode.BadRequest, "invalid_body")]
    [InlineData("", "application/json", HttpStatusCode.BadRequest, "invalid_body")]
    [InlineData("{\"text\":\"a\"}", "text/plain", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type")]
    public async Task A_bad_body_is_a_problem_with_a_stable_code(string body, string contentType, HttpStatusCode status, string code)
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);

        using var response = await _client.PostAsync(new Uri("/echo", UriKind.Relative), content);

        var text = (await HttpAssert.ProblemAsync(response, status, code)).GetRawText();
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_path_is_404_and_a_wrong_method_405_without_a_token()
    {
        using var unknown = await _client.GetAsync(new Uri("/nowhere", UriKind.Relative));
        using var wrongMethod = await _client.GetAsync(new Uri("/echo", UriKind.Relative));

        await HttpAssert.ProblemAsync(unknown, HttpStatusCode.NotFound, "not_found");
        await HttpAssert.ProblemAsync(wrongMethod, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Fact]
    public void Redis_calls_time_out_well_inside_the_gateway_s_two_seconds_unless_configured_otherwise()
    {
        var builder = ServiceHost.CreateBuilder();
        builder.Services.AddDependencyTimeouts();
        builder.Configuration["ConnectionStrings:redis"] = "127.0.0.1:1";
        builder.Configuration["Aspire:StackExchange:Redis:ConfigurationOptions:AsyncTimeout"] = "700";
        builder.AddRedisClient("redis");
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<ConfigurationOptions>>().Value;

        Assert.Equal(DependencyTimeouts.RedisTimeoutMilliseconds, options.ConnectTimeout);
        Assert.Equal(DependencyTimeouts.RedisTimeoutMilliseconds, options.SyncTimeout);
        Assert.Equal(700, options.AsyncTimeout);
    }

    public void Dispose() => _client.Dispose();

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    public sealed record Note(string Text);
}
