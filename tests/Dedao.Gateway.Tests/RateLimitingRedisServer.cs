using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dedao.Gateway.Tests;

/// <summary>A throwaway redis-server on a free loopback port, in its own temp folder; killed and removed on dispose.</summary>
public sealed class RateLimitingRedisServer : IAsyncDisposable
{
    private const string Binary = "/usr/bin/redis-server";
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(15);

    private readonly string _directory = Directory.CreateTempSubdirectory("dedao-ratelimit-redis-").FullName;
    private Process? _process;

    private RateLimitingRedisServer(int port) => Port = port;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RateLimitingRedisServer> StartAsync()
    {
        var server = new RateLimitingRedisServer(FreePort());
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
        var start = new ProcessStartInfo(Binary)
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--dir", _directory })
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var deadline = new CancellationTokenSource(StartDeadline);
        while (!await AnswersPingAsync(deadline.Token))
        {
            if (process.HasExited || deadline.IsCancellationRequested)
            {
                string log;
                lock (output) { log = output.ToString(); }
                throw new InvalidOperationException($"redis-server on port {Port} did not come up (exited: {process.HasExited}):\n{log}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        }
    }

    /// <summary>Kills the server outright, as a crash would; returns once the process is gone.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    /// <summary>Freezes the server (SIGSTOP): connections stay open but nothing is answered, as with a hung Redis.</summary>
    public void Pause() => Signal("-STOP");

    public void Resume() => Signal("-CONT");

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        await Task.Yield();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private void Signal(string signal)
    {
        var pid = _process?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)
            ?? throw new InvalidOperationException("Not started.");
        using var kill = Process.Start("kill", [signal, pid]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
