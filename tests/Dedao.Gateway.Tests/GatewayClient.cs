using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace Dedao.Gateway.Tests;

internal static class GatewayClient
{
    /// <summary>
    /// A plain client for a gateway resource. Not <c>CreateHttpClient</c>: Aspire gives that one the standard resilience
    /// handler, which retries the 429s and 503s these tests assert and waits out their Retry-After.
    /// </summary>
    public static HttpClient For(DistributedApplication app, string resourceName) =>
        new() { BaseAddress = app.GetEndpoint(resourceName, "http") };
}
