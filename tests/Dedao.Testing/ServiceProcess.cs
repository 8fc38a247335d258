using Aspire.Hosting.ApplicationModel;

namespace Dedao.EndToEnd.Tests;

/// <summary>The process that serves a project resource, the one a crash takes down.</summary>
internal static class ServiceProcess
{
    private const string PidProperty = "executable.pid";

    /// <summary>
    /// DCP starts a project as <c>dotnet run</c>, which runs the service as its child: the process to kill is at the
    /// bottom of that chain, not the pid the snapshot names.
    /// </summary>
    public static LinuxProcess Of(CustomResourceSnapshot snapshot)
    {
        var pid = snapshot.Properties.Single(p => p.Name == PidProperty).Value switch
        {
            int value => value,
            long value => (int)value,
            var value => int.Parse(value?.ToString() ?? "", System.Globalization.CultureInfo.InvariantCulture),
        };
        var all = LinuxProcess.All();
        var process = all.SingleOrDefault(p => p.Pid == pid) ?? throw new InvalidOperationException($"the snapshot names process {pid}, which is not running");
        while (all.Where(p => p.ParentPid == process.Pid).ToList() is [var only])
        {
            process = only;
        }

        return process;
    }
}
