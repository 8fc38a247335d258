using System.Collections.Concurrent;
using System.Net;

namespace Dedao.ServiceDefaults.Tests;

/// <summary>Stands in for the Aspire dashboard's OTLP/HTTP endpoint: accepts every export and remembers where it went.</summary>
internal sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, int> _exports = new();

    public OtlpReceiver()
    {
        Endpoint = $"http://127.0.0.1:{ServiceHost.FreePort()}/";
        _listener.Prefixes.Add(Endpoint);
        _listener.Start();
        _ = AcceptAsync();
    }

    public string Endpoint { get; }

    /// <summary>Paths that received at least one export, like <c>/v1/traces</c>.</summary>
    public IReadOnlyCollection<string> Paths => _exports.Keys.ToList();

    public void Dispose() => _listener.Close();

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            await context.Request.InputStream.CopyToAsync(Stream.Null);
            _exports.AddOrUpdate(context.Request.Url!.AbsolutePath, 1, (_, count) => count + 1);
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }
}
