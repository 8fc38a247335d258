namespace Dedao.Caching;

/// <summary>Which tiers stand before each source (<c>Caching:Mode</c>); the benchmark runs one row of its table per mode.</summary>
public enum CacheMode
{
    /// <summary>Values in process memory, then Redis, then the source: what production runs.</summary>
    Objects,

    /// <summary>Serialized values in process memory (deserialized on every hit), then Redis, then the source: the seed's bigcache row.</summary>
    Bytes,

    /// <summary>Redis, then the source.</summary>
    Redis,

    /// <summary>The source alone.</summary>
    None,
}
