using System.Net;
using System.Net.Sockets;

namespace Dedao.Hosting.Orchestration;

/// <summary>Hands out free loopback ports, never the same one twice in one run.</summary>
internal sealed class PortAllocator
{
    private readonly HashSet<int> _given = [];

    public int Free()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (_given.Add(port))
            {
                return port;
            }
        }
    }

    public int Fixed(int port, string owner, string fix)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
        catch (SocketException)
        {
            throw new DistributedApplicationException(
                $"{owner}: port {port} is already in use; stop the program that holds it or {fix}.");
        }

        _given.Add(port);
        return port;
    }
}
