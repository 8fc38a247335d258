using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Dedao.PaySandbox;

/// <summary>
/// The provider's books: a SQLite file in <see cref="SandboxOptions.DataFolder"/>, so a restart of the sandbox forgets
/// neither a charge a merchant may reconcile with, nor a refund, nor a notice it still owes. Plain SQL, created at start:
/// three tables of a stand-in for someone else's system, not a schema of ours to migrate.
/// </summary>
public sealed class SandboxDatabase
{
    private readonly string _connectionString;

    public SandboxDatabase(IOptions<SandboxOptions> options)
    {
        var folder = Directory.CreateDirectory(options.Value.DataFolder).FullName;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(folder, "sandbox.db"),
            // Replicas of the sandbox share the file; a writer waits for another's transaction instead of failing.
            DefaultTimeout = 10,
        }.ToString();
        using var connection = Open();
        Execute(connection, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS charges (
              payment_id INTEGER PRIMARY KEY, amount_fen INTEGER NOT NULL, result TEXT NOT NULL, transaction_id TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS refunds (
              payment_id INTEGER PRIMARY KEY, refund_id TEXT NOT NULL, amount_fen INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS notices (
              id INTEGER PRIMARY KEY AUTOINCREMENT, payment_id INTEGER NOT NULL, amount_fen INTEGER NOT NULL, result TEXT NOT NULL,
              transaction_id TEXT NOT NULL, delivered INTEGER NOT NULL DEFAULT 0, given_up INTEGER NOT NULL DEFAULT 0);
            """);
    }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>A write transaction from its first statement (<c>BEGIN IMMEDIATE</c>), so a read in it cannot go stale.</summary>
    public static SqliteTransaction BeginWrite(SqliteConnection connection) => connection.BeginTransaction(deferred: false);

    public static int Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
