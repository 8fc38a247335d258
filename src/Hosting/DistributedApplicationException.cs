namespace Dedao.Hosting;

/// <summary>A problem the user can fix: its message names the resource and the fix, and is shown without a stack trace.</summary>
public sealed class DistributedApplicationException(string message) : Exception(message);
