using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dedao.Hosting.Dashboard;

/// <summary>
/// Accepts OTLP/HTTP exports (traces, logs, metrics) so projects export to a real endpoint; it counts what arrives,
/// per signal. Decoding and showing the telemetry is the dashboard's next step.
/// </summary>
internal sealed class TelemetryReceiver
{
    private readonly ConcurrentDictionary<string, long> _exports = new();

    public IReadOnlyDictionary<string, long> Exports => _exports;

    public void Received(string signal) => _exports.AddOrUpdate(signal, 1, (_, count) => count + 1);
}

internal static class TelemetryReceiverEndpoints
{
    private static readonly string[] Signals = ["traces", "logs", "metrics"];

    public static void MapTelemetryReceiver(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request, TelemetryReceiver receiver) =>
        {
            if (!Signals.Contains(signal))
            {
                return Results.NotFound();
            }

            await request.Body.CopyToAsync(Stream.Null);
            receiver.Received(signal);
            // An empty body is a valid, empty Export*ServiceResponse: everything was accepted.
            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapGet("/api/telemetry", (TelemetryReceiver receiver) => TypedResults.Ok(receiver.Exports));
    }
}
