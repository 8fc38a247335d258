namespace Dedao.Hosting.Orchestration;

/// <summary>Snapshots of every resource and a way to wait for a state, as Aspire's service of the same name.</summary>
public sealed class ResourceNotificationService
{
    private readonly object _gate = new();
    private readonly List<ResourceInstance> _instances = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal event Action<ResourceInstance>? Changed;

    internal void Register(ResourceInstance instance)
    {
        lock (_gate)
        {
            _instances.Add(instance);
        }
    }

    internal void Update(ResourceInstance instance, Action<ResourceInstance> change)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            change(instance);
            // Inside the lock, so observers see changes in the order they happened.
            Changed?.Invoke(instance);
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    internal IReadOnlyList<ResourceInstance> Instances
    {
        get
        {
            lock (_gate)
            {
                return [.. _instances];
            }
        }
    }

    public IReadOnlyList<ResourceSnapshot> Snapshots()
    {
        lock (_gate)
        {
            return [.. _instances.Select(i => i.Snapshot())];
        }
    }

    /// <summary>Waits until every instance of <paramref name="resourceName"/> is running and healthy.</summary>
    public Task WaitForResourceHealthyAsync(string resourceName, CancellationToken cancellationToken = default) =>
        WaitAsync(resourceName, i => i.IsReady, cancellationToken);

    /// <summary>Waits until every instance of <paramref name="resourceName"/> is in <paramref name="state"/>.</summary>
    public Task WaitForResourceAsync(string resourceName, string state, CancellationToken cancellationToken = default) =>
        WaitAsync(resourceName, i => i.State == state, cancellationToken);

    /// <summary>Waits until every instance of <paramref name="resourceName"/> satisfies <paramref name="predicate"/>.</summary>
    public Task WaitForResourceAsync(string resourceName, Func<ResourceSnapshot, bool> predicate,
        CancellationToken cancellationToken = default) =>
        WaitAsync(resourceName, i => predicate(i.Snapshot()), cancellationToken);

    internal async Task WaitAsync(string resourceName, Func<ResourceInstance, bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var instances = _instances.Where(i => i.Resource.Name == resourceName || i.Name == resourceName).ToList();
                if (instances.Count > 0 && instances.All(condition))
                {
                    return;
                }

                if (instances.Any(i => i.State == KnownResourceStates.FailedToStart))
                {
                    throw new DistributedApplicationException($"{resourceName} failed to start.");
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }
}
