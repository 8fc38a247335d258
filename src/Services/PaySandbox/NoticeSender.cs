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

/// <summary>A notice the provider owes, by its row in <see cref="SandboxDatabase"/>.</summary>
public sealed record PendingNotice(long Id, Notice Notice);

/// <summary>What the customer did at the provider, as pay passes it on.</summary>
/// <param name="SendNotice">False for a test of the merchant's reconciliation: the notice is lost on its way.</param>
public sealed record ConfirmRequest(long AmountFen, string? Result, bool SendNotice = true);

/// <summary>
/// Delivers each notice to pay, signed with HMAC-SHA256 over the body, retrying with growing delays until pay answers 2xx:
/// at least once, as a real provider does. A notice is written with its charge and marked once delivered, so one still
/// owed when the sandbox stopped is delivered after it starts again, its tries counted afresh.
/// </summary>
public sealed class NoticeSender(IHttpClientFactory httpClients, SandboxDatabase database, IOptions<SandboxOptions> options,
    ILogger<NoticeSender> logger) : BackgroundService
{
    public const string SignatureHeader = "X-Sandbox-Signature";

    private readonly Channel<PendingNotice> _queue = Channel.CreateUnbounded<PendingNotice>();

    public void Enqueue(PendingNotice notice) => _queue.Writer.TryWrite(notice);

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
        foreach (var owed in Owed())
        {
            deliveries.Add(DeliverAsync(owed, retry, settings, stoppingToken));
        }

        await foreach (var notice in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            deliveries.RemoveAll(delivery => delivery.IsCompleted);
            // Each notice on its own schedule: one that pay keeps refusing never holds up the others.
            deliveries.Add(DeliverAsync(notice, retry, settings, stoppingToken));
        }

        await Task.WhenAll(deliveries);
    }

    private async Task DeliverAsync(PendingNotice pending, ResiliencePipeline retry, SandboxOptions settings, CancellationToken cancellationToken)
    {
        var notice = pending.Notice;
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
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Settle(pending, delivered: false);
            logger.LogError(e, "Gave up on notice {TransactionId} for payment {PaymentId} after {Attempts} tries",
                notice.TransactionId, notice.PaymentId, settings.MaxAttempts);
            return;
        }

        Settle(pending, delivered: true);
        logger.LogInformation("Notice {TransactionId} for payment {PaymentId} ({Result}) acknowledged",
            notice.TransactionId, notice.PaymentId, notice.Result);
    }

    /// <summary>The notices a stopped sandbox still owed.</summary>
    private List<PendingNotice> Owed()
    {
        using var connection = database.Open();
        using var command = SandboxDatabase.Command(connection,
            "SELECT id, payment_id, amount_fen, result, transaction_id FROM notices WHERE delivered = 0 AND given_up = 0 ORDER BY id");
        using var reader = command.ExecuteReader();
        var owed = new List<PendingNotice>();
        while (reader.Read())
        {
            owed.Add(new PendingNotice(reader.GetInt64(0), new Notice(reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4))));
        }

        return owed;
    }

    /// <summary>No longer owed: delivered, or given up on after the last try.</summary>
    private void Settle(PendingNotice pending, bool delivered)
    {
        using var connection = database.Open();
        SandboxDatabase.Execute(connection, "UPDATE notices SET delivered = $delivered, given_up = 1 - $delivered WHERE id = $id",
            ("$delivered", delivered ? 1 : 0), ("$id", pending.Id));
    }
}
