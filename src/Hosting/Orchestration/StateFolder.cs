using System.Security.Cryptography;
using System.Text.Json;

namespace Dedao.Hosting.Orchestration;

/// <summary>
/// The AppHost's own folder: generated secrets, server data and pid files. Kept between runs, or a fresh
/// temporary folder removed on stop when the run is ephemeral.
/// </summary>
internal sealed class StateFolder : IDisposable
{
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private readonly string _secretsFile;
    private readonly Dictionary<string, string> _secrets;

    private StateFolder(string root, bool ephemeral)
    {
        Root = root;
        Ephemeral = ephemeral;
        Directory.CreateDirectory(Pids);
        // Scratch data of servers without a data volume never outlives a run.
        if (Directory.Exists(Path.Combine(root, "run")))
        {
            Directory.Delete(Path.Combine(root, "run"), recursive: true);
        }

        _secretsFile = Path.Combine(root, "secrets.json");
        _secrets = File.Exists(_secretsFile)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(_secretsFile)) ?? []
            : [];
    }

    public string Root { get; }

    public bool Ephemeral { get; }

    public string Pids => Path.Combine(Root, "pids");

    /// <summary>A stable id of this folder, for names that live outside it (sockets, container names, volumes).</summary>
    public string Id => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Root)))[..10];

    public static StateFolder Open(string folder, bool ephemeral) => ephemeral
        ? new StateFolder(Directory.CreateTempSubdirectory("dedao-apphost-").FullName, ephemeral: true)
        : new StateFolder(Path.GetFullPath(folder), ephemeral: false);

    /// <summary>A folder for a server's data: kept between runs when <paramref name="persistent"/>, else scratch.</summary>
    public string DataFolder(string resourceName, bool persistent)
    {
        var path = Path.Combine(Root, persistent ? "data" : "run", resourceName);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>A file only the owner can read, for configuration that holds a password.</summary>
    public string WritePrivateFile(string resourceName, string fileName, string content)
    {
        var path = Path.Combine(DataFolder("config", persistent: false), $"{resourceName}-{fileName}");
        File.WriteAllText(path, "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>The generated secret for <paramref name="key"/>, created on first use and kept with this folder.</summary>
    public string Secret(string key)
    {
        lock (_secrets)
        {
            if (!_secrets.TryGetValue(key, out var value))
            {
                value = RandomNumberGenerator.GetString(Alphabet, 24);
                _secrets[key] = value;
                File.WriteAllText(_secretsFile, "");
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(_secretsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                File.WriteAllText(_secretsFile, JsonSerializer.Serialize(_secrets));
            }

            return value;
        }
    }

    public void Dispose()
    {
        var target = Ephemeral ? Root : Path.Combine(Root, "run");
        try
        {
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }
        }
        catch (IOException)
        {
            // A server may still be flushing a file; the next run clears scratch data anyway.
        }
    }
}
