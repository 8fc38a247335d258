namespace Dedao.Hosting.Orchestration;

/// <summary>Every resource's output on the AppHost's console, each line prefixed with the resource's name.</summary>
internal sealed class ConsoleLog(bool quiet)
{
    private static readonly string[] Colors = ["\e[36m", "\e[32m", "\e[33m", "\e[35m", "\e[34m", "\e[96m", "\e[92m", "\e[93m"];
    private readonly bool _color = !Console.IsOutputRedirected;
    private readonly object _gate = new();

    public void Line(string source, string text)
    {
        if (quiet)
        {
            return;
        }

        var prefix = _color
            ? $"{Colors[(int)((uint)StringComparer.Ordinal.GetHashCode(source) % Colors.Length)]}{source,-12}\e[0m"
            : $"{source,-12}";
        lock (_gate)
        {
            Console.Out.WriteLine($"{prefix} | {text}");
        }
    }

    /// <summary>The AppHost's own messages, shown even when resource output is quiet.</summary>
    public void Host(string text)
    {
        lock (_gate)
        {
            Console.Out.WriteLine(_color ? $"\e[1mapphost\e[0m      | {text}" : $"apphost      | {text}");
        }
    }
}
