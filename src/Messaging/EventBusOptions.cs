namespace Dedao.Messaging;

/// <summary>Bound from the <c>EventBus</c> configuration section, then from the <c>AddEventBus</c> callback.</summary>
public sealed class EventBusOptions
{
    public static IReadOnlyList<TimeSpan> DefaultRetryDelays { get; } =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)];

    /// <summary>
    /// The waits between tries of a failing handler; after the last, the message is dead-lettered, unless its failure was
    /// transient (a timeout, a deadlock, a dependency out of reach), which is tried again at the last delay. Null: the defaults.
    /// </summary>
    // Null rather than pre-filled: the configuration binder appends to a list it finds, it does not replace it.
    public List<TimeSpan>? RetryDelays { get; set; }

    /// <summary>
    /// How long a handler's database commands may wait (on locks, mostly), instead of the connection's request budget.
    /// </summary>
    public TimeSpan HandlerCommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public ushort PrefetchCount { get; set; } = 32;

    /// <summary>Messages of one queue handled at the same time.</summary>
    public ushort ConsumerConcurrency { get; set; } = 4;

    /// <summary>How often the relay looks for rows nobody handed it (a crash after the commit, a failed publish).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How old an unsent row must be before the poll takes it: a younger one is still being published by the relay of the
    /// process that committed it, which was handed the row at the commit.
    /// </summary>
    public TimeSpan LeftoverAge { get; set; } = TimeSpan.FromSeconds(5);

    public int RelayBatchSize { get; set; } = 200;

    /// <summary>How long sent rows are kept, for looking into what was published.</summary>
    public TimeSpan SentRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a handled message_id is remembered. A repeat comes within minutes (a redelivery, a relay that died
    /// before marking a row sent); a dead letter was never handled, so replaying it later needs no memory of it.
    /// </summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Rows one pruning statement deletes at most: one long delete would hold its locks, and every handler's inbox insert
    /// behind them, for as long as it ran.
    /// </summary>
    public int PruneBatchSize { get; set; } = 5_000;

    internal IReadOnlyList<TimeSpan> EffectiveRetryDelays => RetryDelays ?? DefaultRetryDelays;
}
