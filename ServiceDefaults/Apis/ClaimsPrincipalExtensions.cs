using System.Security.Claims;

namespace Dedao.ServiceDefaults.Apis;

public static class ClaimsPrincipalExtensions
{
    /// <summary>Passport's user id, from <c>sub</c>; null when the token names no passport user.</summary>
    public static Guid? GetUserId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue("sub"), out var id) ? id : null;
}
