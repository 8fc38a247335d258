using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Fetches passport's signing keys once the service has started, so the first signed-in request does not pay for
/// the round trips (and stays inside the gateway's two-second budget). Passport may still be starting: it retries
/// for a while, and a failure only means the first request fetches the keys itself.
/// </summary>
internal sealed class SigningKeysWarmUp(IOptionsMonitor<JwtBearerOptions> options, ILogger<SigningKeysWarmUp> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var manager = options.Get(JwtBearerDefaults.AuthenticationScheme).ConfigurationManager;
        if (manager is null)
        {
            return;
        }

        for (var attempt = 1; attempt <= 10 && !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await manager.GetConfigurationAsync(stoppingToken);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogDebug(e, "Signing keys not fetched yet (attempt {Attempt})", attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), stoppingToken);
            }
        }
    }
}
