namespace Dedao.Gateway.Edge;

/// <summary>
/// Removes headers a backend might mistake for an identity the gateway vouched for. No service trusts them anyway
/// (each validates the token itself); stripping them at the edge keeps a client from trying.
/// </summary>
internal sealed class IdentityHeaderStripping(RequestDelegate next)
{
    private static readonly string[] Prefixes = ["X-User", "X-Auth", "X-Forwarded-User", "X-Dedao-"];

    public Task InvokeAsync(HttpContext context)
    {
        foreach (var header in context.Request.Headers.Keys.Where(IsIdentityHeader).ToList())
        {
            context.Request.Headers.Remove(header);
        }

        return next(context);
    }

    private static bool IsIdentityHeader(string name) =>
        Prefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
}
