using System.Data.Common;
using System.Net;
using MySqlConnector;
using Polly;

namespace Dedao.Messaging;

/// <summary>
/// Failures of what a handler depends on, not of the message: a lock wait or deadlock that outlived the database's own
/// retries, a timeout, a server or service that cannot be reached. Trying the same message later can succeed, so such a
/// message is never parked as a dead letter.
/// </summary>
internal static class TransientFailures
{
    public static bool Include(Exception? exception) => exception switch
    {
        null => false,
        DbException { IsTransient: true } or MySqlException { ErrorCode: MySqlErrorCode.CommandTimeoutExpired } or TimeoutException
            or ExecutionRejectedException => true,
        // Unreachable, or the other service's own trouble; a 4xx says the message asked for something wrong.
        HttpRequestException http => http.StatusCode is null or >= HttpStatusCode.InternalServerError
            or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        AggregateException aggregate => aggregate.InnerExceptions.Any(Include),
        _ => Include(exception.InnerException),
    };
}
