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

    private static Dictionary<string, object?> Code(string code) => new() { ["code"] = code };
}
