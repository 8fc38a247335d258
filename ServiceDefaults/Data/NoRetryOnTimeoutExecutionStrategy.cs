using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace Dedao.ServiceDefaults.Data;

/// <summary>
/// Pomelo's retrying strategy, except after a timeout: a server that let a connect or a command time out is frozen or
/// swamped, and another try would take the same second again, past the gateway's 2 s. A refused connection or a
/// deadlock is still retried, with delays that end when the request's budget does.
/// </summary>
public sealed class NoRetryOnTimeoutExecutionStrategy(ExecutionStrategyDependencies dependencies, int maxRetryCount, TimeSpan maxRetryDelay)
    : MySqlRetryingExecutionStrategy(dependencies, maxRetryCount, maxRetryDelay, errorNumbersToAdd: null)
{
    protected override bool ShouldRetryOn(Exception exception) => !IsTimeout(exception) && base.ShouldRetryOn(exception);

    private static bool IsTimeout(Exception? exception) => exception switch
    {
        null => false,
        TimeoutException or MySqlException { ErrorCode: MySqlErrorCode.CommandTimeoutExpired } => true,
        _ => IsTimeout(exception.InnerException),
    };
}
