using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Dedao.Testing;
using MySqlConnector;

namespace Dedao.Commerce.Tests;

/// <summary>
/// Faults in the middle of a purchase, on the whole platform: a service killed (<c>kill -9</c>) between a commit and its
/// publish, between coin's debit and pay's settlement or in the middle of handling a message, coin frozen while a payment
/// waits on it, the broker stopped while purchases go on, and a message that fails until an operator fixes the cause.
/// Afterwards every order reaches its final state and nothing is doubled.
/// </summary>
[Collection(Commerce.Name)]
public sealed class FaultTests(CommerceFixture platform)
{
    private const long Price = Catalog.PaidColumnPriceFen / 100;
    private static readonly TimeSpan Recovery = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Pay_killed_after_committing_a_coin_payment_and_before_publishing_it_publishes_it_once_restarted()
    {
        var (shopper, orderId) = await PendingPurchaseAsync();

        KilledService killed;
        await StopBrokerAsync();
        try
        {
            // The debit and the payment commit with payment.succeeded in pay's outbox; with the broker down it stays there.
            using var paid = await shopper.PayAsync(orderId, "coin");
            var paymentId = (await HttpAssert.JsonAsync(paid, HttpStatusCode.OK)).GetProperty("paymentId").GetInt64();
            Assert.Equal(1, await UnsentAsync("paydb", "payment.succeeded", "paymentId", paymentId));
            killed = ServiceProcess.Kill(platform.App, "pay");
        }
        finally
        {
            await StartBrokerAsync();
        }

        await ServiceProcess.WaitUntilRestartedAsync(platform.App, killed, Recovery);
        await AssertPaidOnceAsync(shopper, orderId);
    }

    [Fact]
    public async Task Order_killed_in_the_middle_of_handling_a_payment_handles_it_once_restarted()
    {
        var (shopper, orderId) = await PendingPurchaseAsync();

        KilledService killed;
        // Holding the order's row makes order's handler of payment.succeeded wait in its transaction, past its inbox row.
        await using (var orders = new MySqlConnection(await platform.ConnectionStringAsync("orderdb")))
        {
            await orders.OpenAsync();
            await using var holding = await orders.BeginTransactionAsync();
            await using (var hold = new MySqlCommand("SELECT Id FROM Orders WHERE Id = @id FOR UPDATE", orders, holding))
            {
                hold.Parameters.AddWithValue("@id", orderId);
                await hold.ExecuteScalarAsync();
            }

            using var paid = await shopper.PayAsync(orderId, "coin");
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
            await Poll.UntilAsync(async () => await CountAsync("orderdb",
                    "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT' AND trx_mysql_thread_id <> CONNECTION_ID()") > 0,
                Recovery, () => "order's handler never waited on the held order row");
            killed = ServiceProcess.Kill(platform.App, "order");
            await holding.RollbackAsync();
        }

        await ServiceProcess.WaitUntilRestartedAsync(platform.App, killed, Recovery);
        await AssertPaidOnceAsync(shopper, orderId);
    }

    [Fact]
    public async Task A_coin_payment_whose_request_ends_while_coin_hangs_is_settled_once_coin_is_back_without_a_resend()
    {
        var (shopper, orderId) = await PendingPurchaseAsync();

        // Pay asks coin to debit and waits on it; pay's own budget (1.5 s) or the gateway's (2 s) answers the client. That
        // answer comes once pay's request has ended, and that end is what used to abandon the debit: coin, thawed, could
        // take the coins under a payment left pending for good.
        await using (await FrozenServer.FreezeAsync(platform.App, "coin"))
        {
            using var paying = await shopper.PayOnceAsync(orderId, "coin");
            Assert.True(paying.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout,
                $"answered {(int)paying.StatusCode} while coin was frozen");
        }

        // Nobody sends the payment again: a client that gave up may never come back.
        await AssertPaidOnceAsync(shopper, orderId);
    }

    [Fact]
    public async Task Pay_killed_after_coin_debited_and_before_it_settled_settles_the_payment_from_coins_debited()
    {
        var (shopper, orderId) = await PendingPurchaseAsync();

        Task<HttpResponseMessage> paying;
        KilledService killed;
        await using (var payments = new MySqlConnection(await platform.ConnectionStringAsync("paydb")))
        {
            await payments.OpenAsync();
            await using var holding = await payments.BeginTransactionAsync();
            // With coin frozen, pay writes the pending payment and waits on the debit: the test holds that payment's row.
            await using (await FrozenServer.FreezeAsync(platform.App, "coin"))
            {
                paying = shopper.PayOnceAsync(orderId, "coin");
                long paymentId = 0;
                await Poll.UntilAsync(async () => (paymentId = await CountAsync("paydb",
                    "SELECT COALESCE(MAX(Id), 0) FROM Payments WHERE OrderId = @id", orderId)) > 0, Recovery, () => "pay never wrote the payment");
                await using var hold = new MySqlCommand("SELECT Id FROM Payments WHERE Id = @id FOR UPDATE", payments, holding);
                hold.Parameters.AddWithValue("@id", paymentId);
                await hold.ExecuteScalarAsync();
            }

            // Coin, thawed, debits; pay's settlement then waits on the held row, and dies there.
            await Poll.UntilAsync(async () => await CountAsync("paydb",
                    "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT' AND trx_mysql_thread_id <> CONNECTION_ID()") > 0,
                Recovery, () => "pay never settled the payment after coin's debit");
            killed = ServiceProcess.Kill(platform.App, "pay");
            await holding.RollbackAsync();
        }

        // Whatever the gateway answered (pay died under it), nobody sends the payment again.
        (await paying).Dispose();
        await ServiceProcess.WaitUntilRestartedAsync(platform.App, killed, Recovery);
        await AssertPaidOnceAsync(shopper, orderId);
    }

    [Fact]
    public async Task Purchases_made_while_the_broker_is_stopped_for_20_s_all_settle_once_it_is_back()
    {
        // Four shoppers buy round and round the 99-coin columns. With nothing completed during the outage, a column
        // bought twice is refunded afterwards, as is an order that expired before its payment got through, and a
        // wallet that runs dry answers 402.
        var shoppers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Shopper.SignUpAsync(platform)));
        var columns = await Catalog.ColumnsAtAsync(shoppers[0], Catalog.PaidColumnPriceFen);
        var topUp = columns.Length * Price * 2;
        await Task.WhenAll(shoppers.Select(shopper => shopper.TopUpAsync(topUp)));

        var deadBefore = await DeadLettersAsync();
        List<(long OrderId, long PaymentId)>[] paid;
        await StopBrokerAsync();
        try
        {
            var outage = Stopwatch.StartNew();
            paid = await Task.WhenAll(shoppers.Select(async shopper =>
            {
                var payments = new List<(long, long)>();
                for (var n = 0; outage.Elapsed < Outage; n++)
                {
                    var orderId = await shopper.CreateOrderAsync("column", columns[n % columns.Length]);
                    using var payment = await shopper.PayAsync(orderId, "coin");
                    var body = await payment.Content.ReadAsStringAsync();
                    Assert.True(payment.StatusCode is HttpStatusCode.OK or HttpStatusCode.PaymentRequired,
                        $"a coin payment during the outage answered {(int)payment.StatusCode}: {body}");
                    if (payment.StatusCode == HttpStatusCode.OK)
                    {
                        payments.Add((orderId, JsonDocument.Parse(body).RootElement.GetProperty("paymentId").GetInt64()));
                    }
                }

                return payments;
            }));
        }
        finally
        {
            await StartBrokerAsync();
        }

        Assert.NotEmpty(paid.SelectMany(p => p));
        foreach (var (shopper, payments) in shoppers.Zip(paid))
        {
            // Every payment settles: its order completed, or the money back.
            foreach (var (orderId, paymentId) in payments)
            {
                string order = "", payment = "";
                await Poll.UntilAsync(async () => (order = await shopper.OrderStatusAsync(orderId)) == "completed"
                        || (payment = await shopper.PaymentStatusAsync(paymentId)) == "refunded",
                    Recovery, () => $"order {orderId} completed or payment {paymentId} refunded: order {order}, payment {payment}");
            }

            var completed = await CompletedAsync(shopper);
            Assert.Equal(completed.Distinct().Count(), completed.Count);
            // Refunds travel the bus after the payment's status changed, so the coins come back shortly after.
            var balance = 0L;
            var dead = deadBefore;
            await Poll.UntilAsync(async () =>
                {
                    balance = await shopper.BalanceAsync();
                    dead = await DeadLettersAsync();
                    return balance == topUp - completed.Count * Price;
                }, Recovery,
                () => $"{shopper.UserId} pays for exactly its {completed.Count} completed columns: balance {balance} of {topUp} after " +
                    $"{payments.Count} payments; dead letters {JsonSerializer.Serialize(dead)}");
        }

        // However busy the handlers were, nothing was parked: a lock wait or a timeout is not the message's fault.
        Assert.Equal(deadBefore, await DeadLettersAsync());
        await Invariants.AssertHoldAsync(platform);
    }

    [Fact]
    public async Task A_payment_order_cannot_handle_is_dead_lettered_and_once_the_cause_is_fixed_the_dashboard_replay_settles_it()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var orderId = await shopper.CreateOrderAsync("column", Catalog.PaidColumn);
        using var created = await shopper.PayAsync(orderId, "sandbox");
        var paymentId = (await HttpAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("paymentId").GetInt64();
        var deadQueue = "order.payment.succeeded.dead";
        var dead = await platform.Bus.CountAsync(deadQueue);

        // The order's row goes missing (a restore that lags, an operator's slip): its payment then fails every try.
        var missingId = orderId + 1_000_000_000;
        await Invariants.ScalarAsync(platform, "orderdb", "UPDATE Orders SET Id = @to WHERE Id = @from", ("@from", orderId), ("@to", missingId));
        try
        {
            using var confirmed = await shopper.ConfirmAsync(paymentId, "success");
            Assert.Equal(HttpStatusCode.Accepted, confirmed.StatusCode);
            await Poll.UntilAsync(async () => await platform.Bus.CountAsync(deadQueue) == dead + 1, Recovery,
                () => $"payment {paymentId} did not reach {deadQueue} after its retries");
        }
        finally
        {
            await Invariants.ScalarAsync(platform, "orderdb", "UPDATE Orders SET Id = @to WHERE Id = @from", ("@from", missingId), ("@to", orderId));
        }

        Assert.Equal("pending", await shopper.OrderStatusAsync(orderId));
        var replay = await platform.App.ResourceCommands.ExecuteCommandAsync("messaging", RabbitMQDeadLetterCommands.ReplayCommandName);
        Assert.True(replay.Success, replay.Message);

        await AwaitOrderAsync(shopper, orderId, "completed");
        Assert.Equal(dead, await platform.Bus.CountAsync(deadQueue));
        Assert.Equal("succeeded", await shopper.PaymentStatusAsync(paymentId));
        await Invariants.AssertHoldAsync(platform);
    }

    /// <summary>A new shopper with coins for one column, and a pending order for it.</summary>
    private async Task<(Shopper Shopper, long OrderId)> PendingPurchaseAsync()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        await shopper.TopUpAsync(Price);
        return (shopper, await shopper.CreateOrderAsync("column", Catalog.PaidColumn));
    }

    /// <summary>The order completed, its coins taken once and order.paid written once: no crash doubled anything.</summary>
    private async Task AssertPaidOnceAsync(Shopper shopper, long orderId)
    {
        await AwaitOrderAsync(shopper, orderId, "completed");
        Assert.Equal(0, await shopper.BalanceAsync());
        Assert.Equal(1, await Invariants.LedgerCountAsync(platform, shopper.UserId, "Purchase"));
        Assert.Equal(1, await CountAsync("orderdb",
            "SELECT COUNT(*) FROM outbox WHERE event_name = 'order.paid' AND JSON_VALUE(body, '$.orderId') = @id", orderId));
        await Invariants.AssertHoldAsync(platform);
    }

    [Fact]
    public async Task The_payment_provider_killed_keeps_its_charges_and_delivers_the_notices_it_still_owed_once_restarted()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var paymentId = await shopper.SandboxPaymentAsync();
        var orderId = (await shopper.GetJsonAsync($"/api/v1/payments/{paymentId}")).GetProperty("orderId").GetInt64();
        var acknowledged = $"for payment {paymentId} (success) acknowledged";

        using (var deadline = new CancellationTokenSource(Recovery))
        {
            await platform.App.ResourceCommands.ExecuteCommandAsync("pay", KnownResourceCommands.StopCommand, deadline.Token);
            await platform.App.ResourceNotifications.WaitForResourceAsync("pay", KnownResourceStates.TerminalStates, deadline.Token);
        }

        string transactionId;
        try
        {
            // The customer pays at the provider while pay is away: the notice is owed, and fails on every try.
            using (var provider = platform.App.CreateHttpClient("pay-sandbox"))
            {
                using var confirmed = await provider.PostAsJsonAsync(new Uri($"/charges/{paymentId}/confirm", UriKind.Relative),
                    new { amountFen = Catalog.PaidColumnPriceFen, result = "success" });
                Assert.Equal(HttpStatusCode.Accepted, confirmed.StatusCode);
                using var record = await provider.GetAsync(new Uri($"/charges/{paymentId}", UriKind.Relative));
                transactionId = (await HttpAssert.JsonAsync(record, HttpStatusCode.OK)).GetProperty("transactionId").GetString()!;
            }

            var killed = ServiceProcess.Kill(platform.App, "pay-sandbox");
            await ServiceProcess.WaitUntilRestartedAsync(platform.App, killed, Recovery);

            using (var provider = platform.App.CreateHttpClient("pay-sandbox"))
            {
                using var record = await provider.GetAsync(new Uri($"/charges/{paymentId}", UriKind.Relative));
                Assert.Equal(transactionId, (await HttpAssert.JsonAsync(record, HttpStatusCode.OK)).GetProperty("transactionId").GetString());
            }

            Assert.DoesNotContain(await ResourceConsole.LinesAsync(platform.App, "pay-sandbox"), line => line.Contains(acknowledged, StringComparison.Ordinal));
        }
        finally
        {
            await platform.App.ResourceCommands.ExecuteCommandAsync("pay", KnownResourceCommands.StartCommand);
            await ResourceHealth.WaitForAllHealthyAsync(platform.App, Recovery, "pay");
        }

        // The restarted provider's own tries reach pay once it is back; pay's reconciliation may settle the payment first.
        await Poll.UntilAsync(async () => (await ResourceConsole.LinesAsync(platform.App, "pay-sandbox")).Any(line => line.Contains(acknowledged, StringComparison.Ordinal)),
            Recovery, () => $"the notice of payment {paymentId}, owed before the restart, acknowledged after it");
        await AwaitOrderAsync(shopper, orderId, "completed");
        Assert.Equal("succeeded", (await shopper.GetJsonAsync($"/api/v1/payments/{paymentId}")).GetProperty("status").GetString());
    }

    private async Task StopBrokerAsync()
    {
        using var deadline = new CancellationTokenSource(Recovery);
        await platform.App.ResourceCommands.ExecuteCommandAsync("messaging", KnownResourceCommands.StopCommand, deadline.Token);
        await platform.App.ResourceNotifications.WaitForResourceAsync("messaging", KnownResourceStates.TerminalStates, deadline.Token);
    }

    /// <summary>The dead-letter queues that hold messages, with their counts, as the dashboard's command shows them.</summary>
    private async Task<Dictionary<string, uint>> DeadLettersAsync()
    {
        var shown = await platform.App.ResourceCommands.ExecuteCommandAsync("messaging", RabbitMQDeadLetterCommands.ShowCommandName);
        Assert.True(shown.Success, shown.Message);
        return JsonSerializer.Deserialize<Dictionary<string, uint>>(shown.Data!.Value)!.Where(q => q.Value > 0).ToDictionary();
    }

    private async Task StartBrokerAsync()
    {
        await platform.App.ResourceCommands.ExecuteCommandAsync("messaging", KnownResourceCommands.StartCommand);
        await ResourceHealth.WaitForAllHealthyAsync(platform.App, Recovery, "messaging");
    }

    private static Task AwaitOrderAsync(Shopper shopper, long orderId, string status) =>
        Poll.UntilAsync(async () => await shopper.OrderStatusAsync(orderId) == status, Recovery, () => $"order {orderId} {status}");

    /// <summary>The products of every completed order, through all pages: a shopper whose wallet ran dry made many more orders.</summary>
    private static async Task<List<long>> CompletedAsync(Shopper shopper)
    {
        var completed = new List<long>();
        string? cursor = null;
        do
        {
            var page = await shopper.GetJsonAsync($"/api/v1/orders?limit=100{(cursor is null ? "" : $"&cursor={cursor}")}");
            completed.AddRange(page.GetProperty("items").EnumerateArray()
                .Where(o => o.GetProperty("status").GetString() == "completed").Select(o => o.GetProperty("productId").GetInt64()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        return completed;
    }

    private Task<long> UnsentAsync(string database, string eventName, string property, long id) =>
        CountAsync(database, $"SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND event_name = '{eventName}' AND JSON_VALUE(body, '$.{property}') = @id", id);

    private Task<long> CountAsync(string database, string sql, long? id = null) =>
        Invariants.ScalarAsync(platform, database, sql, id is null ? [] : [("@id", id.Value)]);
}
