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

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    /// <summary>A phone number passport accepts (<c>^1\d{10}$</c>), new at every call.</summary>
    public static string NewPhone() => "1" + Random.Shared.NextInt64(0, 10_000_000_000).ToString("D10", CultureInfo.InvariantCulture);

    /// <summary>
    /// Registers a new reader through <paramref name="passport"/> (a client of passport or of the gateway) and signs them
    /// in. A 503 is sent again under a new phone, since the registration that ran out of time may have gone through. So is
    /// a 409 <c>phone_taken</c>: a client that retries by itself (Aspire's, for a resource) may have sent the same
    /// registration twice, and the first made the reader whose id the second cannot tell.
    /// </summary>
    public static async Task<SignedInReader> SignUpAsync(HttpClient passport, string nickname = "读者", string password = Password)
    {
        var phone = "";
        HttpResponseMessage? registered = null;
        try
        {
            await Poll.UntilAsync(async () =>
            {
                registered?.Dispose();
                phone = NewPhone();
                registered = await passport.PostAsJsonAsync("/api/v1/passport/register", new { phone, password, nickname });
                return registered.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.Conflict);
            }, Patience, () => $"a registration answered {(int?)registered?.StatusCode}");
            var userId = (await HttpAssert.JsonAsync(registered!, HttpStatusCode.Created)).GetProperty("userId").GetGuid();
            return new SignedInReader(userId, phone, await LogInAsync(passport, phone, password));
        }
        finally
        {
            registered?.Dispose();
        }
    }

    /// <summary>Signs in through <paramref name="passport"/>, sending again on 503; returns the access token.</summary>
    public static async Task<string> LogInAsync(HttpClient passport, string phone, string password)
    {
        using var login = await Resend.UntilServedAsync(() => passport.PostAsJsonAsync("/api/v1/passport/login", new { phone, password }));
        return (await HttpAssert.JsonAsync(login, HttpStatusCode.OK)).GetProperty("accessToken").GetString()!;
    }
}
