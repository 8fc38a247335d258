namespace Dedao.Messaging;

/// <summary>One queue of the service and how to read and handle what arrives on it.</summary>
internal sealed record Subscription(
    string EventName,
    string Queue,
    Func<ReadOnlyMemory<byte>, object?> Deserialize,
    Func<object, bool> Wants,
    Func<IServiceProvider, object, EventContext, CancellationToken, Task> HandleAsync);
