using System.Globalization;
using System.Net;
using System.Net.Http.Json;

namespace Dedao.Testing;

/// <summary>A reader registered and signed in, for a test to act as.</summary>
public sealed record SignedInReader(Guid UserId, string Phone, string Token);

/// <summary>New readers, to arrange a test with; not for tests of passport itself, which send each request once.</summary>
public static class Readers
{
    public const string Password = "correct horse battery";

    /// <summary>A phone number passport accepts (<c>^1\d{10}$</c>), new at every call.</summary>
    public static string NewPhone() => "1" + Random.Shared.NextInt64(0, 10_000_000_000).ToString("D10", CultureInfo.InvariantCulture);

    /// <summary>
    /// Registers a new reader through <paramref name="passport"/> (a client of passport or of the gateway) and signs them
    /// in. A 503 is sent again, a registration under a new phone: the one that timed out may have gone through.
    /// </summary>
    public static async Task<SignedInReader> SignUpAsync(HttpClient passport, string nickname = "读者", string password = Password)
    {
        var phone = "";
        using var registered = await Resend.UntilServedAsync(() =>
        {
            phone = NewPhone();
            return passport.PostAsJsonAsync("/api/v1/passport/register", new { phone, password, nickname });
        });
        var userId = (await HttpAssert.JsonAsync(registered, HttpStatusCode.Created)).GetProperty("userId").GetGuid();
        return new SignedInReader(userId, phone, await LogInAsync(passport, phone, password));
    }

    /// <summary>Signs in through <paramref name="passport"/>, sending again on 503; returns the access token.</summary>
    public static async Task<string> LogInAsync(HttpClient passport, string phone, string password)
    {
        using var login = await Resend.UntilServedAsync(() => passport.PostAsJsonAsync("/api/v1/passport/login", new { phone, password }));
        return (await HttpAssert.JsonAsync(login, HttpStatusCode.OK)).GetProperty("accessToken").GetString()!;
    }
}
