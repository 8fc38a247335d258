using System.Security.Claims;
using Dedao.Passport.Data;
using Dedao.Passport.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Dedao.Passport.Apis;

public static class PassportApi
{
    private const string TokenType = "Bearer";

    public static RouteGroupBuilder MapPassportApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/passport");
        api.MapPost("/register", RegisterAsync).AllowAnonymous();
        api.MapPost("/login", LoginAsync).AllowAnonymous();
        api.MapPost("/refresh", RefreshAsync).AllowAnonymous();
        api.MapPost("/logout", LogoutAsync);
        api.MapGet("/me", GetMeAsync);
        api.MapWellKnown();
        app.MapServiceTokenApi();
        return api;
    }

    public static async Task<Results<Created<RegisterResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(RegisterRequest request, [AsParameters] PassportServices services, CancellationToken cancellationToken)
    {
        var errors = RequestValidation.Register(request, out var nickname);
        if (errors.Count > 0)
        {
            return PassportProblems.Validation(errors);
        }

        var db = services.Db;
        if (await db.Users.AnyAsync(u => u.Phone == request.Phone, cancellationToken))
        {
            return PassportProblems.PhoneTaken();
        }

        var user = new User
        {
            Id = Guid.CreateVersion7(),
            Phone = request.Phone!,
            Nickname = nickname,
            CreatedAt = services.Time.GetUtcNow().UtcDateTime,
        };
        user.PasswordHash = services.Passwords.Hash(user, request.Password!);
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (exception.IsDuplicateKey())
        {
            // A concurrent registration of the same phone got in between the check and the insert.
            return PassportProblems.PhoneTaken();
        }

        return TypedResults.Created((string?)null, new RegisterResponse(user.Id));
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> LoginAsync(LoginRequest request, HttpContext http, [AsParameters] PassportServices services, CancellationToken cancellationToken)
    {
        var errors = RequestValidation.Login(request);
        if (errors.Count > 0)
        {
            return PassportProblems.Validation(errors);
        }

        var phone = request.Phone!;
        // After UseForwardedHeaders this is the client the gateway saw, not the gateway itself.
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var attempt = await services.Throttle.BeginAsync(phone, address);
        if (attempt.RetryAfter is { } retryAfter)
        {
            return PassportProblems.TooManyAttempts(http, retryAfter);
        }

        // Only a check that ran and failed counts; a database outage before or during it counts nothing.
        var outcome = LoginOutcome.Abandoned;
        User? user;
        PasswordCheck check;
        try
        {
            user = await services.Db.Users.SingleOrDefaultAsync(u => u.Phone == phone, cancellationToken);
            check = services.Passwords.Check(user, request.Password!);
            outcome = user is null || check == PasswordCheck.Failed ? LoginOutcome.Failed : LoginOutcome.Succeeded;
        }
        finally
        {
            await services.Throttle.EndAsync(attempt, outcome);
        }

        if (user is null || outcome == LoginOutcome.Failed)
        {
            return PassportProblems.InvalidCredentials();
        }

        if (check == PasswordCheck.SucceededRehashNeeded)
        {
            user.PasswordHash = services.Passwords.Hash(user, request.Password!);
            await services.Db.SaveChangesAsync(cancellationToken);
        }

        var refreshToken = await services.RefreshTokens.IssueAsync(user.Id, cancellationToken);
        return TypedResults.Ok(await IssueTokensAsync(user, refreshToken, services, cancellationToken));
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> RefreshAsync(RefreshRequest request, [AsParameters] PassportServices services, CancellationToken cancellationToken)
    {
        var errors = RequestValidation.Refresh(request);
        if (errors.Count > 0)
        {
            return PassportProblems.Validation(errors);
        }

        if (await services.RefreshTokens.RotateAsync(request.RefreshToken!, cancellationToken) is not { } rotated)
        {
            return PassportProblems.InvalidRefreshToken();
        }

        return TypedResults.Ok(await IssueTokensAsync(rotated.User, rotated.RefreshToken, services, cancellationToken));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> LogoutAsync(ClaimsPrincipal principal, [AsParameters] PassportServices services, CancellationToken cancellationToken)
    {
        if (UserId(principal) is not { } userId)
        {
            return PassportProblems.UnknownUser();
        }

        await services.RefreshTokens.RevokeAllAsync(userId, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> GetMeAsync(ClaimsPrincipal principal, [AsParameters] PassportServices services, CancellationToken cancellationToken)
    {
        var userId = UserId(principal);
        var user = userId is null ? null : await services.Db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return PassportProblems.UnknownUser();
        }

        return TypedResults.Ok(new MeResponse(user.Id, user.Nickname, MaskPhone(user.Phone), user.RoleList));
    }

    private static async Task<TokenResponse> IssueTokensAsync(User user, string refreshToken, PassportServices services, CancellationToken cancellationToken)
    {
        var access = await services.AccessTokens.IssueAsync(user, cancellationToken);
        return new TokenResponse(access.Token, refreshToken, TokenType, (int)access.Lifetime.TotalSeconds);
    }

    private static Guid? UserId(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub), out var id) ? id : null;

    /// <summary>13800000000 -> 138****0000.</summary>
    private static string MaskPhone(string phone) =>
        phone.Length == 11 ? string.Concat(phone.AsSpan(0, 3), "****", phone.AsSpan(7)) : "****";
}
