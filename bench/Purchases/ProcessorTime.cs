using System.Diagnostics;

namespace Dedao.Bench.Purchases;

/// <summary>
/// Where a run's CPU went: every process on the machine, by name (column's replicas together), so the run's own share of
/// each service, the database and the broker can be read against its purchases.
/// </summary>
internal static class ProcessorTime
{
    public static Dictionary<string, TimeSpan> ByProcessName()
    {
        var byName = new Dictionary<string, TimeSpan>();
        foreach (var process in Process.GetProcesses())
        {
            using (process)
            {
                try
                {
                    byName[process.ProcessName] = byName.GetValueOrDefault(process.ProcessName) + process.TotalProcessorTime;
                }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // It ended while being read.
                }
            }
        }

        return byName;
    }

    /// <summary>The processes that spent at least a tenth of a second from <paramref name="before"/> to now, the busiest first.</summary>
    public static IEnumerable<(string Name, TimeSpan Spent)> SpentSince(Dictionary<string, TimeSpan> before) =>
        ByProcessName()
            .Select(after => (after.Key, Spent: after.Value - before.GetValueOrDefault(after.Key)))
            .Where(p => p.Spent >= TimeSpan.FromSeconds(0.1))
            .OrderByDescending(p => p.Spent);
}
