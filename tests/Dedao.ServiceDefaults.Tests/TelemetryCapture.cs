using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Dedao.ServiceDefaults.Tests;

/// <summary>
/// What a host's tracer and meter providers hand to their exporters, the OTLP one to the dashboard included: a span
/// or a metric shows up here only when the source or meter it comes from was added to the providers.
/// </summary>
internal sealed class TelemetryCapture
{
    private readonly ConcurrentQueue<Activity> _activities = new();
    private readonly ConcurrentDictionary<string, byte> _meters = new();

    public IReadOnlyCollection<Activity> Activities => _activities;

    public static TelemetryCapture AddTo(IHostApplicationBuilder builder)
    {
        var capture = new TelemetryCapture();
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddProcessor(new ActivityCollector(capture)))
            .WithMetrics(metrics => metrics.AddReader(new BaseExportingMetricReader(new MetricCollector(capture))));
        return capture;
    }

    /// <summary>The meters that exported anything, after collecting now rather than at the next export interval.</summary>
    public IReadOnlyCollection<string> MetersExported(IHost host)
    {
        host.Services.GetRequiredService<MeterProvider>().ForceFlush();
        return _meters.Keys.ToList();
    }

    private sealed class ActivityCollector(TelemetryCapture capture) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => capture._activities.Enqueue(data);
    }

    private sealed class MetricCollector(TelemetryCapture capture) : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                capture._meters.TryAdd(metric.MeterName, 0);
            }

            return ExportResult.Success;
        }
    }
}
