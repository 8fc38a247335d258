using System.Runtime.InteropServices;

namespace Aspire.Hosting;

/// <summary>The process's file-creation mask, inherited by DCP and through it by every server it starts.</summary>
internal static partial class UnixMask
{
    private const uint OwnerOnly = 0x3F; // 077

    public static void Restrict()
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = umask(OwnerOnly);  // umask(2) cannot fail; it returns the previous mask, which nothing restores
        }
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial uint umask(uint mask);
}
