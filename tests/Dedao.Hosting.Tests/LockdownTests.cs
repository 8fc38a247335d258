using System.Text.Json;
using System.Runtime.Versioning;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using MySqlConnector;

namespace Dedao.Hosting.Tests;

/// <summary>An executable server is as locked down as a container: passwords everywhere, private files, loopback only.</summary>
[SupportedOSPlatform("linux")]
public sealed class LockdownTests(ExecutableServersFixture servers) : IClassFixture<ExecutableServersFixture>
{
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public async Task Every_listener_of_every_server_is_on_loopback()
    {
        foreach (var server in ExecutableServersFixture.Servers)
        {
            var listeners = await ServerProcesses.ListenersAsync(await ServerProcesses.PidAsync(servers.App, server));

            Assert.NotEmpty(listeners);
            Assert.All(listeners, address => Assert.True(address.StartsWith("127.0.0.1:", StringComparison.Ordinal)
                || address.StartsWith("[::1]:", StringComparison.Ordinal), $"{server} listens on {address}"));
        }
    }

    [Fact]
    public async Task Every_mysql_account_that_can_log_in_needs_a_password()
    {
        await using var connection = new MySqlConnection(await servers.App.GetConnectionStringAsync("mysql"));
        await connection.OpenAsync();
        await using var command = new MySqlCommand("SELECT CONCAT(User, '@', Host), Priv FROM mysql.global_priv", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var open = new List<string>();
        while (await reader.ReadAsync())
        {
            var privileges = JsonDocument.Parse(reader.GetString(1)).RootElement;
            var locked = privileges.TryGetProperty("account_locked", out var value) && value.GetBoolean();
            var plugin = privileges.TryGetProperty("plugin", out var p) ? p.GetString() : "mysql_native_password";
            var secret = privileges.TryGetProperty("authentication_string", out var s) ? s.GetString() : "";
            if (!locked && (plugin is "unix_socket" or "auth_socket" || string.IsNullOrEmpty(secret)))
            {
                open.Add(reader.GetString(0));
            }
        }

        Assert.Empty(open);
    }

    [Fact]
    public async Task Another_local_user_cannot_reach_the_mysql_socket_and_root_cannot_use_it_without_the_password()
    {
        var socket = Path.Combine(servers.State.Sockets, "mysql.sock");
        Assert.True(File.Exists(socket), $"{socket} is where the server listens");

        var asNobody = await ServerProcesses.RunAsync("runuser", "-u", "nobody", "--", "mariadb", "-S", socket, "-u", "root", "-e", "SELECT 1");
        var withoutPassword = await ServerProcesses.RunAsync("mariadb", "-S", socket, "-u", "root", "-e", "SELECT 1");

        Assert.NotEqual(0, asNobody.ExitCode);
        Assert.Contains("(13)", asNobody.Output, StringComparison.Ordinal);  // errno 13: permission denied on the private folder
        Assert.NotEqual(0, withoutPassword.ExitCode);
        Assert.Contains("Access denied", withoutPassword.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mysql_keeps_its_temporary_tables_in_its_state_folder_not_in_the_shared_tmp()
    {
        await using var connection = new MySqlConnection(await servers.App.GetConnectionStringAsync("mysql"));
        await connection.OpenAsync();
        await using var command = new MySqlCommand("SELECT @@tmpdir", connection);

        Assert.Equal(Path.Combine(servers.State.Root, "tmp", "mysql"), await command.ExecuteScalarAsync());
    }

    [Fact]
    public void Data_config_secrets_and_sockets_are_readable_by_their_owner_only()
    {
        var folders = Directory.EnumerateDirectories(servers.State.Root, "*", SearchOption.AllDirectories)
            .Append(servers.State.Root).Append(servers.State.Sockets).ToList();
        var files = Directory.EnumerateFiles(servers.State.Root, "*", SearchOption.AllDirectories).ToList();

        Assert.Contains(files, f => f.EndsWith(".ibd", StringComparison.Ordinal));
        Assert.Contains(files, f => f.Contains("secrets", StringComparison.Ordinal));
        Assert.All(folders, folder => Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(folder) & GroupOrOthers));
        Assert.All(files, file => Assert.True((File.GetUnixFileMode(file) & GroupOrOthers) == UnixFileMode.None,
            $"{file} is {File.GetUnixFileMode(file)}"));
    }
}
