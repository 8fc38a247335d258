using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting;

/// <summary>
/// Where executable servers keep their data and generated secrets: <c>AppHost:StateFolder</c> (default <c>.state</c>
/// beside the AppHost project), or with <c>AppHost:Ephemeral=true</c> a fresh folder that is deleted on stop.
/// Every folder is 0700 and every file 0600, as a container's volume would be to other local users.
/// </summary>
public sealed class StateFolder
{
    private static readonly ConditionalWeakTable<IDistributedApplicationBuilder, StateFolder> Folders = [];

    private StateFolder(string root, bool ephemeral)
    {
        Root = root;
        IsEphemeral = ephemeral;
        CreatePrivate(Root);
    }

    public string Root { get; }

    public bool IsEphemeral { get; }

    /// <summary>A short, private folder for unix sockets, whose paths may not exceed 107 bytes.</summary>
    public string Sockets => CreatePrivate(SocketsPath(Root));

    public static StateFolder For(IDistributedApplicationBuilder builder) => Folders.GetValue(builder, Create);

    /// <summary>A private folder of the state folder, created if missing.</summary>
    public string Folder(params string[] parts) => CreatePrivate(Path.Combine([Root, .. parts]));

    /// <summary>Writes a file only the owner can read, for passwords and configuration that holds them.</summary>
    public static string WritePrivateFile(string path, string contents)
    {
        // Emptied and made private before the secret goes in.
        File.WriteAllText(path, "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(path, contents);
        return path;
    }

    private static StateFolder Create(IDistributedApplicationBuilder builder)
    {
        // Servers write their own files; with this mask the data they create is the owner's alone.
        UnixMask.Restrict();
        var configuration = builder.Configuration;
        if (configuration.GetValue("AppHost:Ephemeral", false))
        {
            var folder = new StateFolder(Directory.CreateTempSubdirectory("dedao-apphost-").FullName, ephemeral: true);
            string[] folders = [folder.Root, SocketsPath(folder.Root)];
            builder.Services.AddHostedService(_ => new EphemeralStateCleanup(folders));
            // A model that is built and never started (tests of its shape) creates no hosted service to dispose.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => EphemeralStateCleanup.Delete(folders, TimeSpan.Zero);
            return folder;
        }

        var root = configuration["AppHost:StateFolder"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, builder.AppHostDirectory)
            : Path.Combine(builder.AppHostDirectory, ".state");
        return new StateFolder(root, ephemeral: false);
    }

    private static string SocketsPath(string root) =>
        Path.Combine(Path.GetTempPath(), $"dedao-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root)))[..12]}");

    private static string CreatePrivate(string path)
    {
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    /// <summary>Deletes an ephemeral state folder when the app is disposed, after DCP has stopped every server.</summary>
    private sealed class EphemeralStateCleanup(string[] folders) : IHostedService, IDisposable
    {
        /// <summary>How long a server may go on writing as it dies (MariaDB flushes its pages) before the folder is left behind.</summary>
        private static readonly TimeSpan DeleteBudget = TimeSpan.FromSeconds(15);

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose() => Delete(folders, DeleteBudget);

        public static void Delete(string[] folders, TimeSpan budget)
        {
            var deadline = DateTime.UtcNow + budget;
            foreach (var folder in folders)
            {
                while (Directory.Exists(folder))
                {
                    try
                    {
                        Directory.Delete(folder, recursive: true);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        // A file written between the listing and the delete: "directory not empty". Past the budget the
                        // temp folder is the system's to clean.
                        if (DateTime.UtcNow >= deadline)
                        {
                            break;
                        }

                        Thread.Sleep(100);
                    }
                }
            }
        }
    }
}
