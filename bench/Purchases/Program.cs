// Coin purchases per second end to end: N users, each signed up and topped up through the sandbox first, then each buys
// every paid product once (create order, pay with coins, poll until the order is paid or completed). Before them, `warmup`
// more users (200 by default) buy everything unmeasured, so that the numbers are a warm platform's. Prints the rate,
// p50/p99 of one purchase, the CPU every process spent meanwhile and what MySQL did (DatabaseWork), then checks every
// user's money through the public API: balance >= 0, balance = sum of ledger, coins spent (net of refunds) = the prices of
// the orders paid, each product bought once.
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dedao.Bench.Purchases;

var gateway = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:5180");
var users = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
var settledStatus = Environment.GetEnvironmentVariable("settled") ?? "paid";
// How a client learns that its order settled: by waiting on it (If-None-Match and Prefer: wait), or with poll=1 by polling.
var polling = Environment.GetEnvironmentVariable("poll") == "1";
var statusReads = 0;
var warmUpUsers = int.Parse(Environment.GetEnvironmentVariable("warmup") ?? "200", CultureInfo.InvariantCulture);
// The platform's MySQL server, when the script found it: its counters tell what a purchase asks of it.
var mysql = Environment.GetEnvironmentVariable("DEDAO_BENCH_MYSQL");
var products = Enumerable.Range(1, 20).Where(n => n % 4 != 0).Select(n => ("column", (long)n))
    .Concat(Enumerable.Range(1, 10).Where(n => n % 5 != 0).Select(n => ("course", (long)n))).ToArray();
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(60) };

Console.WriteLine($"{users} users (after {warmUpUsers} warming up), {products.Length} purchases each, settled when an order is '{settledStatus}' or completed");
const string Password = "bench password 1";
var phones = new ConcurrentBag<string>();
await Parallel.ForEachAsync(Enumerable.Range(0, warmUpUsers + users), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
{
    var phone = $"16{Random.Shared.Next(0, 1_000_000_000):D9}";
    var credentials = new { phone, password = Password, nickname = "bench" };
    // A register retried after a 503 (the gateway's 2 s passed while passport hashed) may find the phone taken: by itself.
    await Succeed(() => http.PostAsJsonAsync("/api/v1/passport/register", credentials, ct), HttpStatusCode.Conflict);
    var token = (await Succeed(() => http.PostAsJsonAsync("/api/v1/passport/login", credentials, ct))).GetProperty("accessToken").GetString()!;
    // Sent again under the same key while the first try is still running (409) or ran out of time (503).
    var topupKey = Guid.NewGuid().ToString();
    var topup = await Succeed(() => Send(token, HttpMethod.Post, "/api/v1/coins/topups", new { coins = 6000 }, topupKey));
    var paymentId = topup.GetProperty("paymentId").GetInt64();
    await Succeed(() => Send(token, HttpMethod.Post, $"/api/v1/payments/sandbox/{paymentId}/confirm", new { result = "success" }));
    while ((await Json(token, "/api/v1/coins/wallet")).GetProperty("balance").GetInt64() < 6000)
    {
        await Task.Delay(100, ct);
    }

    phones.Add(phone);
});
Console.WriteLine($"signed up and topped up {phones.Count} users");

var latencies = new ConcurrentBag<double>();
// Where a purchase's time goes: creating the order, paying it, and waiting for the bus to complete it.
var stages = new ConcurrentBag<(double Order, double Pay, double Settle)>();
var failures = new ConcurrentBag<string>();
// A just-started service spends a good part of its CPU compiling (JIT tiers, EF's queries) for a minute or more; a platform
// serves for hours. The warm-up users buy first, unmeasured, so the run measures the steady state. 20 were too few: in
// the measured run after them, comment spent 45 % of its CPU in the JIT, and the rate was 45/s against 56/s after 100.
// On a 2-core machine half as fast, 50 were too few as well: 23-29/s after them, 37-49/s after 200.
var signedUp = phones.ToArray();
var warm = false;
await Task.WhenAll((await SignIn(signedUp.Take(warmUpUsers))).Select(BuyEverything));
Console.WriteLine($"warmed up: {Math.Min(warmUpUsers, signedUp.Length)} users bought everything, unmeasured");
failures.Clear();
statusReads = 0;
warm = true;
var measured = await SignIn(signedUp.Skip(warmUpUsers));
var databaseBefore = mysql is null ? null : await DatabaseWork.CountersAsync(mysql);
var processorTimeBefore = ProcessorTime.ByProcessName();
var clock = Stopwatch.StartNew();
await Task.WhenAll(measured.Select(BuyEverything));
clock.Stop();
var processorTime = ProcessorTime.SpentSince(processorTimeBefore).ToList();
var databaseAfter = mysql is null ? null : await DatabaseWork.CountersAsync(mysql);

async Task BuyEverything(string token)
{
    foreach (var (type, id) in products.OrderBy(_ => Random.Shared.Next()))
    {
        var started = Stopwatch.GetTimestamp();
        // Under one key, as the payment below: a resend after an answer lost on the way must not make a second order.
        var orderKey = Guid.NewGuid().ToString();
        using var created = await SendAgainWhileLater("order",
            () => Send(token, HttpMethod.Post, "/api/v1/orders", new { productType = type, productId = id }, orderKey),
            HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout);
        if (created.StatusCode != HttpStatusCode.Created)
        {
            failures.Add($"order {await Answer(created)}{Expired(token)}");
            continue;
        }

        var orderId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetInt64();
        var ordered = Stopwatch.GetTimestamp();
        var key = Guid.NewGuid().ToString();
        // Under the same key: a 409 says the first try still runs, a 504 that the gateway stopped waiting for it.
        using var payment = await SendAgainWhileLater("payment",
            () => Send(token, HttpMethod.Post, "/api/v1/payments", new { orderId, channel = "coin" }, key),
            HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout, HttpStatusCode.Conflict);
        if (payment.StatusCode != HttpStatusCode.OK)
        {
            failures.Add($"payment {await Answer(payment)}{Expired(token)}");
            continue;
        }

        var payedAt = Stopwatch.GetTimestamp();
        for (var (status, pause) = ("pending", 10); status != settledStatus && status != "completed"; pause = Math.Min(pause * 2, 200))
        {
            if (polling)
            {
                // Backing off, so that the polling of many users does not become the load it measures.
                await Task.Delay(pause);
            }

            status = await StatusAfter(token, orderId, status);
        }

        if (warm)
        {
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            stages.Add((Stopwatch.GetElapsedTime(started, ordered).TotalMilliseconds, Stopwatch.GetElapsedTime(ordered, payedAt).TotalMilliseconds,
                Stopwatch.GetElapsedTime(payedAt).TotalMilliseconds));
        }
    }
}

var sorted = latencies.Order().ToArray();
double Percentile(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{sorted.Length} purchases in {clock.Elapsed.TotalSeconds:F1} s: {sorted.Length / clock.Elapsed.TotalSeconds:F1} purchases/s, p50 {Percentile(0.5):F0} ms, p99 {Percentile(0.99):F0} ms, failures {failures.Count} {string.Join(' ', failures.GroupBy(f => f).Select(g => $"{g.Key}×{g.Count()}"))}"));

double Median(IEnumerable<double> values) => values.Order().ElementAtOrDefault(stages.Count / 2);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"stage medians: create order {Median(stages.Select(s => s.Order)):F0} ms, pay {Median(stages.Select(s => s.Pay)):F0} ms, paid to {settledStatus} {Median(stages.Select(s => s.Settle)):F0} ms, {(double)statusReads / Math.Max(1, sorted.Length):F1} status reads per purchase ({(polling ? "polled" : "waited")})"));

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"CPU during the measured run, {processorTime.Sum(p => p.Spent.TotalSeconds):F1} s of the {Environment.ProcessorCount * clock.Elapsed.TotalSeconds:F1} the cores had (CPU-s, ms per purchase):"));
foreach (var (name, spent) in processorTime)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {name,-32} {spent.TotalSeconds,6:F1} {spent.TotalMilliseconds / Math.Max(1, sorted.Length),6:F1}"));
}

if (databaseBefore is not null && databaseAfter is not null)
{
    Console.WriteLine(DatabaseWork.PerPurchase(databaseBefore, databaseAfter, sorted.Length));
}

var violations = 0;
foreach (var token in await SignIn(signedUp))
{
    var balance = (await Json(token, "/api/v1/coins/wallet")).GetProperty("balance").GetInt64();
    long sum = 0, spent = 0;
    string? cursor = null;
    do
    {
        var page = await Json(token, $"/api/v1/coins/ledger?limit=100{(cursor is null ? "" : $"&cursor={cursor}")}");
        var entries = page.GetProperty("items").EnumerateArray().ToList();
        sum += entries.Sum(e => e.GetProperty("delta").GetInt64());
        spent -= entries.Where(e => e.GetProperty("reason").GetString() is "purchase" or "refund").Sum(e => e.GetProperty("delta").GetInt64());
        cursor = page.GetProperty("nextCursor").GetString();
    }
    while (cursor is not null);

    var bought = (await Json(token, "/api/v1/orders?limit=100")).GetProperty("items").EnumerateArray()
        .Where(o => o.GetProperty("status").GetString() is "paid" or "completed").ToList();
    // The coins spent, net of refunds, are the prices of the orders paid: none were taken for a payment left unsettled.
    if (balance < 0 || balance != sum || spent != bought.Sum(o => o.GetProperty("amountFen").GetInt64() / 100)
        || bought.GroupBy(o => (o.GetProperty("productType").GetString(), o.GetProperty("productId").GetInt64())).Any(g => g.Count() > 1))
    {
        violations++;
    }
}

Console.WriteLine($"invariants: {violations} users in violation of {signedUp.Length}");
return violations == 0 ? 0 : 1;

// Access tokens last 10 minutes, and the sign-up, the warm-up or the check can outlast them: each phase signs its users in
// afresh before it starts, outside the measured run, since a login is a slow password hash by design.
async Task<string[]> SignIn(IEnumerable<string> users)
{
    var numbers = users.ToArray();
    var tokens = new string[numbers.Length];
    await Parallel.ForEachAsync(Enumerable.Range(0, numbers.Length), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        tokens[i] = (await Succeed(() => http.PostAsJsonAsync("/api/v1/passport/login", new { phone = numbers[i], password = Password }, ct)))
            .GetProperty("accessToken").GetString()!);
    return tokens;
}

// The setup's steps, tried again (a loaded platform answers 503, 409 while a first try runs, 502 while a service starts)
// until they succeed or an accepted status comes back.
async Task<JsonElement> Succeed(Func<Task<HttpResponseMessage>> send, HttpStatusCode? accepted = null)
{
    for (var attempt = 1; ; attempt++)
    {
        using var response = await send();
        var text = await response.Content.ReadAsStringAsync();
        if (response.IsSuccessStatusCode || response.StatusCode == accepted)
        {
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }

        if (attempt == 30)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
        }

        await Task.Delay(100 * attempt);
    }
}

// As a client would: sent again after a pause that grows (50 ms to 1 s) while the answer is one of `later`, or the
// connection broke. Each time is counted: a loaded platform should need it rarely, and a broken connection never.
async Task<HttpResponseMessage> SendAgainWhileLater(string what, Func<Task<HttpResponseMessage>> send, params HttpStatusCode[] later)
{
    for (var pause = 50; ; pause = Math.Min(pause * 2, 1000))
    {
        try
        {
            var response = await send();
            // A replayed answer is the key's for good: sending it again would only replay it again.
            if (!later.Contains(response.StatusCode) || response.Headers.Contains("Idempotent-Replayed"))
            {
                return response;
            }

            failures.Add($"{what} {(int)response.StatusCode} (sent again)");
            response.Dispose();
        }
        catch (HttpRequestException e)
        {
            failures.Add($"{what} sent again after {e.HttpRequestError}");
        }

        await Task.Delay(pause);
    }
}

Task<HttpResponseMessage> Send(string token, HttpMethod method, string path, object? body, string? key = null)
{
    var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
    return http.SendAsync(request);
}

async Task<string> StatusAfter(string token, long orderId, string seen)
{
    Interlocked.Increment(ref statusReads);
    using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/orders/{orderId}");
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    if (!polling)
    {
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{seen}\""));
        request.Headers.Add("Prefer", "wait=10");
    }

    using var response = await http.SendAsync(request);
    if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.NotModified))
    {
        // A loaded platform may answer 503 (or the gateway 504): the client reads again, as it would.
        failures.Add($"status read {(int)response.StatusCode} (read again)");
        await Task.Delay(50);
    }

    return response.StatusCode == HttpStatusCode.OK
        ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString()!
        : seen;
}

// A failure as the summary counts it: the status and the problem's code, such as "409 order_not_payable".
static async Task<string> Answer(HttpResponseMessage response)
{
    var text = await response.Content.ReadAsStringAsync();
    using var problem = text.StartsWith('{') ? JsonDocument.Parse(text) : null;
    var code = problem is not null && problem.RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
    return $"{(int)response.StatusCode} {code}".TrimEnd();
}

// A token past its exp explains a 401: a measured run that outlasts its tokens (many users, or a stalled machine).
static string Expired(string token)
{
    using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]));
    var expires = DateTimeOffset.FromUnixTimeSeconds(payload.RootElement.GetProperty("exp").GetInt64());
    return expires < DateTimeOffset.UtcNow ? " (token expired)" : "";
}

async Task<JsonElement> Json(string token, string path)
{
    using var request = new HttpRequestMessage(HttpMethod.Get, path);
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    using var response = await http.SendAsync(request);
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{path} answered {await Answer(response)}{Expired(token)}");
    }

    return await response.Content.ReadFromJsonAsync<JsonElement>();
}
