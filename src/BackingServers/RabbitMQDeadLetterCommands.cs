using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using RabbitMQ.Client;

namespace Aspire.Hosting;

/// <summary>
/// Dashboard commands on the broker for the event bus's dead-letter queues (<c>&lt;queue&gt;.dead</c>, events.md):
/// show how many messages each holds, and move them back to the queue they failed on.
/// </summary>
public static class RabbitMQDeadLetterCommands
{
    public const string ShowCommandName = "dead-letters";
    public const string ReplayCommandName = "replay-dead-letters";

    // Dedao.Messaging's naming; this hosting side does not reference the services' library.
    private const string DeadSuffix = ".dead";

    /// <param name="management">The management plugin's HTTP endpoint: AMQP cannot list queues, only count a queue it names.</param>
    internal static IResourceBuilder<T> WithDeadLetterCommands<T>(this IResourceBuilder<T> builder, Func<T, EndpointReference> management)
        where T : IResourceWithConnectionString
    {
        var resource = builder.Resource;
        return builder
            .WithCommand(ShowCommandName, "Dead letters", async context =>
            {
                var counts = await CountAsync(resource, management(resource), context.CancellationToken).ConfigureAwait(false);
                return Result(counts.Count == 0 ? "No dead-letter queues yet" : Describe(counts), counts);
            }, new CommandOptions
            {
                Description = "Messages parked in every <queue>.dead after their last retry",
                IconName = "MailWarning",
                UpdateState = Enabled,
            })
            .WithCommand(ReplayCommandName, "Replay dead letters", async context =>
            {
                var moved = await ReplayAsync(resource, management(resource), context.CancellationToken).ConfigureAwait(false);
                return Result($"Moved {moved.Values.Sum(n => (long)n)} back: {Describe(moved)}", moved);
            }, new CommandOptions
            {
                Description = "Moves every dead letter back to the queue it failed on, for a fixed consumer to take again",
                ConfirmationMessage = "Move every dead letter back to its queue?",
                IconName = "MailArrowUp",
                UpdateState = Enabled,
            });
    }

    private static ResourceCommandState Enabled(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;

    private static ExecuteCommandResult Result(string message, IReadOnlyDictionary<string, uint> counts) => new()
    {
        Success = true,
        Message = message,
        Data = new CommandResultData { Value = JsonSerializer.Serialize(counts), Format = CommandResultFormat.Json, DisplayImmediately = true },
    };

    private static string Describe(IReadOnlyDictionary<string, uint> counts) =>
        string.Join(", ", counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key}: {c.Value}")));

    private static async Task<SortedDictionary<string, uint>> CountAsync(IResourceWithConnectionString resource,
        EndpointReference management, CancellationToken cancellationToken)
    {
        var (connection, names) = await OpenAsync(resource, management, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (channel.ConfigureAwait(false))
            {
                var counts = new SortedDictionary<string, uint>(StringComparer.Ordinal);
                foreach (var name in names)
                {
                    // Counted over AMQP: the management API's numbers lag by its statistics interval.
                    counts[name] = await channel.MessageCountAsync(name, cancellationToken).ConfigureAwait(false);
                }

                return counts;
            }
        }
    }

    private static async Task<SortedDictionary<string, uint>> ReplayAsync(IResourceWithConnectionString resource,
        EndpointReference management, CancellationToken cancellationToken)
    {
        var (connection, names) = await OpenAsync(resource, management, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellationToken).ConfigureAwait(false);
            await using (channel.ConfigureAwait(false))
            {
                var moved = new SortedDictionary<string, uint>(StringComparer.Ordinal);
                foreach (var name in names)
                {
                    var queue = name[..^DeadSuffix.Length];
                    // Only what is there now: a message that fails again at once must not keep this loop going.
                    var waiting = await channel.MessageCountAsync(name, cancellationToken).ConfigureAwait(false);
                    moved[name] = 0;
                    for (var i = 0; i < waiting; i++)
                    {
                        if (await channel.BasicGetAsync(name, autoAck: false, cancellationToken).ConfigureAwait(false) is not { } message)
                        {
                            break;
                        }

                        // A fresh start: without the bus's try count and the broker's x-death history.
                        var properties = new BasicProperties(message.BasicProperties)
                        {
                            Headers = message.BasicProperties.Headers?.Where(h => !h.Key.StartsWith("x-", StringComparison.Ordinal))
                                .ToDictionary(h => h.Key, h => h.Value),
                        };
                        // Confirmed before the ack; a queue that is gone returns it (mandatory) and it stays dead.
                        await channel.BasicPublishAsync("", queue, mandatory: true, properties, message.Body, cancellationToken).ConfigureAwait(false);
                        await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken).ConfigureAwait(false);
                        moved[name]++;
                    }
                }

                return moved;
            }
        }
    }

    /// <summary>A connection to the broker and the names of its dead-letter queues, asked of the management API.</summary>
    private static async Task<(IConnection Connection, List<string> DeadQueues)> OpenAsync(IResourceWithConnectionString resource,
        EndpointReference management, CancellationToken cancellationToken)
    {
        var uri = new Uri(await resource.GetConnectionStringAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"'{resource.Name}' has no connection string yet"));
        using var http = new HttpClient { BaseAddress = new Uri(management.Url), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(uri.UserInfo))));
        var queues = await http.GetFromJsonAsync<List<QueueName>>("/api/queues/%2F?columns=name", cancellationToken).ConfigureAwait(false) ?? [];
        var names = queues.Select(q => q.Name).Where(n => n.EndsWith(DeadSuffix, StringComparison.Ordinal)).ToList();
        return (await new ConnectionFactory { Uri = uri }.CreateConnectionAsync(cancellationToken).ConfigureAwait(false), names);
    }

    private sealed record QueueName(string Name);
}
