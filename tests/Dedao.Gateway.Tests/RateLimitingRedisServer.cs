using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dedao.Testing;

namespace Dedao.Gateway.Tests;

/// <summary>
/// A throwaway redis-server of the test's own on a free loopback port, in its own temp folder: one per test, since a test
/// kills, freezes and restarts it. Killed and removed on dispose.
/// </summary>
public sealed class RateLimitingRedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(15);

    private readonly string _directory = Directory.CreateTempSubdirectory("dedao-ratelimit-redis-").FullName;
    private ChildProcess? _process;

    private RateLimitingRedisServer(int port) => Port = port;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RateLimitingRedisServer> StartAsync()
    {
        var server = new RateLimitingRedisServer(FreePort.Next());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again, after <see cref="Kill"/>) on the same port, and waits until it answers PING.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("The server is running.");
        }

        _process?.Dispose();
        var process = ChildProcess.Start("redis-server",
            ["--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory],
            workingDirectory: _directory);
        _process = process;
        await Poll.UntilAsync(AnswersPingAsync, StartDeadline,
            () => $"redis-server on port {Port} answering PING\n{process.Output}",
            () => process.HasExited ? "redis-server exited" : null);
    }

    /// <summary>Kills the server outright, as a crash would; returns once the process is gone.</summary>
    public void Kill()
    {
        _process?.Dispose();
        _process = null;
    }

    /// <summary>Freezes the server (SIGSTOP): connections stay open but nothing is answered, as with a hung Redis.</summary>
    public Task PauseAsync() => LinuxProcess.SignalAsync(Running.Pid, "STOP");

    public Task ResumeAsync() => LinuxProcess.SignalAsync(Running.Pid, "CONT");

    public ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }

        return ValueTask.CompletedTask;
    }

    private ChildProcess Running => _process ?? throw new InvalidOperationException("Not started.");

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is SocketException or IOException)
        {
            return false;
        }
    }
}
