using System.Globalization;
using MySqlConnector;

namespace Dedao.Bench.Purchases;

/// <summary>
/// What the database did during a run, from its global counters: statements by kind, explicit transactions and InnoDB's
/// fsyncs, so a purchase's database cost reads as work and not only as mariadbd's CPU.
/// </summary>
internal static class DatabaseWork
{
    private static readonly string[] Counters =
        ["Questions", "Com_select", "Com_insert", "Com_update", "Com_delete", "Com_begin", "Com_commit", "Innodb_data_fsyncs"];

    public static async Task<Dictionary<string, long>> CountersAsync(string connectionString)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(
            $"SHOW GLOBAL STATUS WHERE Variable_name IN ({string.Join(", ", Counters.Select(c => $"'{c}'"))})", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var counters = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        while (await reader.ReadAsync())
        {
            counters[reader.GetString(0)] = long.Parse(reader.GetString(1), CultureInfo.InvariantCulture);
        }

        return counters;
    }

    public static string PerPurchase(Dictionary<string, long> before, Dictionary<string, long> after, int purchases)
    {
        string Each(string counter) => ((after.GetValueOrDefault(counter) - before.GetValueOrDefault(counter)) / (double)Math.Max(1, purchases))
            .ToString("F1", CultureInfo.InvariantCulture);
        return $"MySQL during the measured run, per purchase: {Each("Questions")} statements ({Each("Com_select")} selects, " +
               $"{Each("Com_insert")} inserts, {Each("Com_update")} updates, {Each("Com_delete")} deletes, " +
               $"{Each("Com_begin")} transactions begun, {Each("Com_commit")} commits), {Each("Innodb_data_fsyncs")} InnoDB fsyncs";
    }
}
