using System.Diagnostics;
using OpenTelemetry;

namespace Dedao.ServiceDefaults.Data;

/// <summary>
/// Leaves a database call that belongs to no request, message or job untraced: the outbox relays' and the timers'
/// polls, a trace each every second in every service, buried the traces of real work in the dashboard (thousands of
/// one-span "Open"/"Execute" traces). Calls made for a request or a message keep their place in its trace.
/// </summary>
public sealed class UnparentedDatabaseCallsFilter(string source) : BaseProcessor<Activity>
{
    public override void OnStart(Activity data)
    {
        if (data.Source.Name == source && data.Parent is null && data.ParentSpanId == default)
        {
            // Not recorded and not exported; the SDK skips OnEnd for an activity that no longer asks for its data.
            data.IsAllDataRequested = false;
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}
