namespace Dedao.Hosting;

/// <summary>A backing server (MySQL, Redis, RabbitMQ) that a runner brings up: external, container or executable.</summary>
public abstract class ServerResource(string name, ParameterResource password) : Resource(name), IResourceWithConnectionString
{
    public ParameterResource Password { get; } = password;

    /// <summary>Keep the data between runs (a named volume, or a folder of the AppHost's state).</summary>
    public bool HasDataVolume { get; set; }

    /// <summary>The loopback port the server listens on; allocated at start.</summary>
    public int Port { get; internal set; }

    /// <summary>Set when <c>ConnectionStrings:name</c> points at a server the engine does not run.</summary>
    public string? ExternalConnectionString { get; internal set; }

    public string GetConnectionString() => ExternalConnectionString ?? Format("127.0.0.1", Port);

    protected abstract string Format(string host, int port);
}

public sealed class MySqlServerResource(string name, ParameterResource password) : ServerResource(name, password)
{
    public override string Type => "MySqlServer";

    public List<MySqlDatabaseResource> Databases { get; } = [];

    protected override string Format(string host, int port) =>
        $"Server={host};Port={port};User ID=root;Password={Password.Value}";
}

public sealed class MySqlDatabaseResource(string name, string databaseName, MySqlServerResource parent)
    : Resource(name), IResourceWithConnectionString, IResourceWithParent
{
    public override string Type => "MySqlDatabase";

    public string DatabaseName { get; } = databaseName;

    public MySqlServerResource Server { get; } = parent;

    IResource IResourceWithParent.Parent => Server;

    public string GetConnectionString() =>
        new MySqlConnector.MySqlConnectionStringBuilder(Server.GetConnectionString()) { Database = DatabaseName }.ConnectionString;
}

public sealed class RedisResource(string name, ParameterResource password) : ServerResource(name, password)
{
    public override string Type => "Redis";

    protected override string Format(string host, int port) => $"{host}:{port},password={Password.Value}";
}

public sealed class RabbitMQServerResource(string name, ParameterResource password) : ServerResource(name, password)
{
    public const string UserName = "dedao";

    public override string Type => "RabbitMQ";

    protected override string Format(string host, int port) =>
        $"amqp://{UserName}:{Uri.EscapeDataString(Password.Value)}@{host}:{port}/";
}
