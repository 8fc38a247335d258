using System.Net;

namespace Dedao.Testing;

/// <summary>
/// Arrangement on a loaded test machine, as a careful client does it: a 503 says the service's request budget ran out
/// (a cold or busy machine) and to come back, and a 409 <c>idempotency_key_in_use</c> that the first try still runs,
/// so the request is made again until it is served. Not for the request a test is about: a test of 503s sends once.
/// </summary>
public static class Resend
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    /// <param name="send">
    /// Makes the request anew each time: one whose repeat is safe (the same Idempotency-Key), or that names a new resource each time.
    /// </param>
    public static async Task<HttpResponseMessage> UntilServedAsync(Func<Task<HttpResponseMessage>> send)
    {
        HttpResponseMessage? response = null;
        await Poll.UntilAsync(async () =>
        {
            response?.Dispose();
            response = await send();
            await response.Content.LoadIntoBufferAsync();
            return response.StatusCode != HttpStatusCode.ServiceUnavailable
                && !(response.StatusCode == HttpStatusCode.Conflict
                     && (await response.Content.ReadAsStringAsync()).Contains("idempotency_key_in_use", StringComparison.Ordinal));
        }, Patience, () => $"still answered {(int?)response?.StatusCode}");
        return response!;
    }
}
