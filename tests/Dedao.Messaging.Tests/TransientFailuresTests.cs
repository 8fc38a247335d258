using System.Net;
using Polly.CircuitBreaker;

namespace Dedao.Messaging.Tests;

/// <summary>Which failures wait for a dependency to come back, and which are the message's own and end as dead letters.</summary>
public sealed class TransientFailuresTests
{
    public static TheoryData<Exception, bool> Failures => new()
    {
        { new TimeoutException(), true },
        { new BrokenCircuitException(), true },
        { new HttpRequestException("refused"), true },
        { new HttpRequestException("down", null, HttpStatusCode.ServiceUnavailable), true },
        { new HttpRequestException("busy", null, HttpStatusCode.TooManyRequests), true },
        { new HttpRequestException("gone", null, HttpStatusCode.NotFound), false },
        { new HttpRequestException("refused", null, HttpStatusCode.BadRequest), false },
        { new InvalidOperationException("a bug"), false },
        { new InvalidOperationException("wrapped", new TimeoutException()), true },
        { new AggregateException(new InvalidOperationException(), new TimeoutException()), true },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_failure_is_transient_when_a_dependency_failed_not_the_message(Exception failure, bool transient) =>
        Assert.Equal(transient, TransientFailures.Include(failure));
}
