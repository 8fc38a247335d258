using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Dedao.ServiceDefaults.Apis;

/// <summary>Errors as problem+json with the stable <c>code</c> that api.md promises clients.</summary>
public static class Problems
{
    public static ValidationProblem Validation(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is not valid.", extensions: Code("validation_failed"));

    public static ProblemHttpResult NotFound(string title) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title, extensions: Code("not_found"));

    /// <summary>Any other error of a service's contract: its status and its stable code.</summary>
    public static ProblemHttpResult Coded(int status, string code, string title) =>
        TypedResults.Problem(statusCode: status, title: title, extensions: Code(code));

    private static Dictionary<string, object?> Code(string code) => new() { ["code"] = code };
}
