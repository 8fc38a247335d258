using System.Globalization;
using StackExchange.Redis;

namespace Dedao.Testing;

/// <summary>What Redis says it has served, from <c>INFO commandstats</c>: proof that a warm read never reached it.</summary>
public static class RedisCommandStats
{
    /// <returns>The GET and MGET call counts, as "cmdstat_get=calls=N;…": equal before and after means no read came.</returns>
    public static async Task<string> ReadsAsync(string connectionString)
    {
        var stats = await ReadAsync(connectionString);
        return string.Join(';', stats.Where(s => s.Key is "cmdstat_get" or "cmdstat_mget").Select(s => $"{s.Key}={s.Value.Split(',')[0]}"));
    }

    /// <returns>How many times Redis has run any of <paramref name="commands"/> (lower case, as "evalsha").</returns>
    public static async Task<long> CallsAsync(string connectionString, params string[] commands)
    {
        var stats = await ReadAsync(connectionString);
        return stats.Where(s => commands.Contains(s.Key["cmdstat_".Length..]))
            .Sum(s => long.Parse(s.Value.Split(',')[0]["calls=".Length..], CultureInfo.InvariantCulture));
    }

    private static async Task<KeyValuePair<string, string>[]> ReadAsync(string connectionString)
    {
        var admin = ConfigurationOptions.Parse(connectionString);
        admin.AllowAdmin = true;
        // Else connecting sends a GET of its own (the tie-breaker key).
        admin.TieBreaker = "";
        await using var redis = await ConnectionMultiplexer.ConnectAsync(admin);
        var info = await redis.GetServers()[0].InfoAsync("commandstats");
        return [.. info.SelectMany(group => group)];
    }
}
