using System.Net.Sockets;
using System.Text;
using Dedao.Testing;

namespace Dedao.Passport.Tests.Infrastructure;

/// <summary>A throwaway redis-server without persistence, on a free loopback port.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly ChildProcess _process;

    private RedisServer(string directory, int port, ChildProcess process)
    {
        _directory = directory;
        Port = port;
        _process = process;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("dedao-passport-redis-").FullName;
        var port = FreePort.Next();
        var process = ChildProcess.Start("redis-server",
            ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", "no"]);
        var server = new RedisServer(directory, port, process);
        try
        {
            await Poll.UntilAsync(
                () => PingAsync(port),
                TimeSpan.FromSeconds(30),
                () => $"redis-server on port {port} answering PING\n{process.Output}",
                () => process.HasExited ? "redis-server exited" : null);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    private static async Task<bool> PingAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray());
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer);
        return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
