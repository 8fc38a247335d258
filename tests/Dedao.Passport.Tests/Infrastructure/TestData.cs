using System.Globalization;

namespace Dedao.Passport.Tests.Infrastructure;

public static class TestData
{
    /// <summary>An address from the IPv6 documentation prefix: never routed, unique per call.</summary>
    public static string NewClientAddress() =>
        string.Create(CultureInfo.InvariantCulture, $"2001:db8::{Random.Shared.Next(0x10000):x}:{Random.Shared.Next(0x10000):x}:{Random.Shared.Next(0x10000):x}");
}
