using Microsoft.Extensions.Hosting;

namespace Dedao.Caching;

/// <summary>
/// Builds the storage as the host starts, before the server listens: its tiers, and its subscription to the backplane,
/// which a replica's first page otherwise waited for.
/// </summary>
internal sealed class StorageWarmUp<TKey, TValue>(IStorage<TKey, TValue> storage) : IHostedService
    where TKey : notnull
    where TValue : class
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(storage);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
