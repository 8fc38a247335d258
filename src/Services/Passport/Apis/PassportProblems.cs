using Microsoft.AspNetCore.Http.HttpResults;

namespace Dedao.Passport.Apis;

/// <summary>The problem responses passport answers with; `code` is the stable part clients match on.</summary>
internal static class PassportProblems
{
    public static ValidationProblem Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "One or more fields are invalid.",
            extensions: Code("validation_failed"));

    public static ProblemHttpResult PhoneTaken() =>
        Problem(StatusCodes.Status409Conflict, "This phone number is already registered.", "phone_taken");

    public static ProblemHttpResult InvalidCredentials() =>
        Problem(StatusCodes.Status401Unauthorized, "The phone number or password is wrong.", "invalid_credentials");

    public static ProblemHttpResult InvalidRefreshToken() =>
        Problem(StatusCodes.Status401Unauthorized, "The refresh token is not valid.", "invalid_refresh_token");

    public static ProblemHttpResult UnknownUser() =>
        Problem(StatusCodes.Status401Unauthorized, "The token's user does not exist.", "invalid_token");

    public static ProblemHttpResult TooManyAttempts(HttpContext http, TimeSpan retryAfter)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem(StatusCodes.Status429TooManyRequests, "Too many failed logins; try again later.", "too_many_attempts");
    }

    private static ProblemHttpResult Problem(int status, string title, string code) =>
        TypedResults.Problem(statusCode: status, title: title, extensions: Code(code));

    private static Dictionary<string, object?> Code(string code) => new() { ["code"] = code };
}
