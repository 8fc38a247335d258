using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Dedao.PaySandbox;

/// <summary>A payment's outcome, as the provider tells the merchant.</summary>
public sealed record Notice(long PaymentId, long AmountFen, string Result, string TransactionId);

/// <summary>What the customer did at the provider, as pay passes it on.</summary>
/// <param name="SendNotice">False for a test of the merchant's reconciliation: the notice is lost on its way.</param>
public sealed record ConfirmRequest(long AmountFen, string? Result, bool SendNotice = true);

/// <summary>
/// Delivers each notice to pay, signed with HMAC-SHA256 over the body, retrying with growing delays until pay answers 2xx:
/// at least once, as a real provider does. Notices live in memory: this is a sandbox, and a restart forgets what it owed.
/// </summary>
public sealed class NoticeSender(IHttpClientFactory httpClients, IOptions<SandboxOptions> options, ILogger<NoticeSender> logger) : BackgroundService
{
    public const string SignatureHeader = "X-Sandbox-Signature";

    private readonly Channel<Notice> _queue = Channel.CreateUnbounded<Notice>();

    public void Enqueue(Notice notice) => _queue.Writer.TryWrite(notice);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var retry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
            MaxRetryAttempts = settings.MaxAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = settings.FirstRetryDelay,
            MaxDelay = settings.MaxRetryDelay,
            OnRetry = retried =>
            {
                logger.LogInformation("Notice delivery failed ({Reason}); try {Attempt} in {Delay}",
                    retried.Outcome.Exception?.Message, retried.AttemptNumber + 2, retried.RetryDelay);
                return ValueTask.CompletedTask;
            },
        }).Build();

        var deliveries = new List<Task>();
        await foreach (var notice in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            deliveries.RemoveAll(delivery => delivery.IsCompleted);
            // Each notice on its own schedule: one that pay keeps refusing never holds up the others.
            deliveries.Add(DeliverAsync(notice, retry, settings, stoppingToken));
        }

        await Task.WhenAll(deliveries);
    }

    private async Task DeliverAsync(Notice notice, ResiliencePipeline retry, SandboxOptions settings, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(notice, JsonSerializerOptions.Web);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(settings.Secret), body));
        try
        {
            await retry.ExecuteAsync(async ct =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, settings.NotifyUrl) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new("application/json");
                request.Headers.Add(SignatureHeader, signature);
                using var response = await httpClients.CreateClient().SendAsync(request, ct);
                if (!response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException(string.Create(CultureInfo.InvariantCulture,
                        $"the merchant answered {(int)response.StatusCode}"), null, response.StatusCode);
                }
            }, cancellationToken);
            logger.LogInformation("Notice {TransactionId} for payment {PaymentId} ({Result}) acknowledged",
                notice.TransactionId, notice.PaymentId, notice.Result);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Gave up on notice {TransactionId} for payment {PaymentId} after {Attempts} tries",
                notice.TransactionId, notice.PaymentId, settings.MaxAttempts);
        }
    }
}
