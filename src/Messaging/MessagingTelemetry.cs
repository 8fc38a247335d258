using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Dedao.Messaging;

/// <summary>
/// The ActivitySource and Meter "Dedao.Messaging". One Meter per host (from its IMeterFactory), so the outbox gauge of
/// a stopped host does not linger in the next one.
/// </summary>
internal sealed class MessagingTelemetry
{
    public const string Name = "Dedao.Messaging";

    public static readonly ActivitySource Source = new(Name);

    private readonly Meter _meter;

    /// <summary>
    /// An activity of ours, or when nobody samples it, a bare one that still carries the trace: the client library's own
    /// publish span and any event a handler writes take their trace from <see cref="Activity.Current"/>.
    /// </summary>
    public static Activity? StartActivity(string name, ActivityKind kind, ActivityContext parent)
    {
        if (Source.StartActivity(name, kind, parent) is { } activity)
        {
            return activity;
        }

        if (parent == default)
        {
            return null;
        }

        var carrier = new Activity(name).SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags);
        carrier.TraceStateString = parent.TraceState;
        return carrier.Start();
    }

    public MessagingTelemetry(IMeterFactory meters)
    {
        _meter = meters.Create(Name);
        Published = _meter.CreateCounter<long>("dedao.messaging.published", "{message}", "Events the relay published and the broker confirmed");
        Consumed = _meter.CreateCounter<long>("dedao.messaging.consumed", "{message}", "Events a handler processed and committed");
        Ignored = _meter.CreateCounter<long>("dedao.messaging.ignored", "{message}", "Events acked unhandled: not for this service (IEventHandler.Wants)");
        Retried = _meter.CreateCounter<long>("dedao.messaging.retried", "{message}", "Failed events sent to a retry delay queue");
        DeadLettered = _meter.CreateCounter<long>("dedao.messaging.dead_lettered", "{message}", "Events parked in a dead-letter queue");
    }

    public Counter<long> Published { get; }

    public Counter<long> Consumed { get; }

    public Counter<long> Ignored { get; }

    public Counter<long> Retried { get; }

    public Counter<long> DeadLettered { get; }

    public void ObserveOutboxAge(Func<double> oldestUnsentSeconds) =>
        _meter.CreateObservableGauge("dedao.messaging.outbox.oldest_unsent_age", oldestUnsentSeconds, "s",
            "Age of the oldest outbox row not yet published, as the relay last saw it");
}
