using System.Runtime.InteropServices;

namespace Aspire.Hosting;

/// <summary>The process's file-creation mask, inherited by DCP and through it by every server it starts.</summary>
internal static partial class UnixMask
{
    private const uint OwnerOnly = 0x3F; // 077

    /// <summary>Sets the mask to 077 and returns the previous one.</summary>
    public static uint Restrict() => OperatingSystem.IsWindows() ? 0 : umask(OwnerOnly);

    [LibraryImport("libc", SetLastError = false)]
    private static partial uint umask(uint mask);
}
