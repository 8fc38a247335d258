namespace Dedao.Caching;

/// <summary>A tier failed or is being skipped after a failure; a <see cref="StorageProxy{TKey, TValue}"/> answers without it.</summary>
public sealed class CacheTierUnavailableException : Exception
{
    public CacheTierUnavailableException()
    {
    }

    public CacheTierUnavailableException(string message) : base(message)
    {
    }

    public CacheTierUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
