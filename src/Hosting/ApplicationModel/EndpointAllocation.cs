namespace Dedao.Hosting;

/// <summary>The HTTP endpoint of a project or executable: a fixed port, or one allocated per replica at start.</summary>
public sealed class HttpEndpoint
{
    public int? Port { get; set; }

    public bool IsExternal { get; set; }

    internal List<int> ReplicaPorts { get; } = [];

    internal string Url(int replica) => $"http://{(IsExternal ? "localhost" : "127.0.0.1")}:{ReplicaPorts[replica]}";
}
