using System.Security.Claims;
using Microsoft.Extensions.Hosting;

namespace Dedao.ServiceDefaults.Apis;

public static class ClaimsPrincipalExtensions
{
    /// <summary>
    /// Passport's user id, from <c>sub</c>; null when the token names no passport user, as a service's own token does
    /// whatever its <c>sub</c> looks like.
    /// </summary>
    public static Guid? GetUserId(this ClaimsPrincipal user) =>
        !user.HasClaim(claim => claim.Type == ServiceIdentity.ClientIdClaim) && Guid.TryParse(user.FindFirstValue("sub"), out var id)
            ? id
            : null;
}
