using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RabbitMQ.Client;

namespace Dedao.Messaging;

/// <summary>An event's wire format (events.md): camelCase JSON body, and the AMQP properties every producer sets.</summary>
public static class EventMessage
{
    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    /// <summary>How many tries a message has had; "x-" headers are dropped when a dead letter is replayed.</summary>
    public const string AttemptHeader = "x-dedao-attempt";

    /// <summary>Why a message was parked in its dead-letter queue.</summary>
    public const string ErrorHeader = "x-dedao-error";

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static BasicProperties Properties(Guid messageId, string eventName, DateTimeOffset timestamp, string? traceParent,
        string? traceState)
    {
        var headers = new Dictionary<string, object?>();
        if (traceParent is not null)
        {
            headers[TraceParentHeader] = traceParent;
        }

        if (!string.IsNullOrEmpty(traceState))
        {
            headers[TraceStateHeader] = traceState;
        }

        return new BasicProperties
        {
            MessageId = messageId.ToString(),
            Type = eventName,
            ContentType = "application/json",
            Timestamp = new AmqpTimestamp(timestamp.ToUnixTimeSeconds()),
            DeliveryMode = DeliveryModes.Persistent,
            Headers = headers,
        };
    }

    /// <summary>A header as the broker hands it back: strings arrive as UTF-8 bytes.</summary>
    public static string? Header(IReadOnlyBasicProperties properties, string name) =>
        properties.Headers?.TryGetValue(name, out var value) == true
            ? value switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                null => null,
                _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
            }
            : null;
}
