using System.Text.RegularExpressions;
using Dedao.ServiceDefaults.Apis;

namespace Dedao.Passport.Apis;

internal static partial class RequestValidation
{
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;
    public const int MaxNicknameLength = 32;

    // Longer than any phone, short enough to bound the Redis key an attempt creates.
    private const int MaxLoginPhoneLength = 32;

    // [0-9], not \d, which also matches other scripts' digits; \z, not $, which allows a trailing newline.
    [GeneratedRegex(@"^1[0-9]{10}\z", RegexOptions.CultureInvariant)]
    private static partial Regex PhonePattern();

    /// <param name="nickname">The nickname as it is stored: trimmed and in NFC.</param>
    public static Dictionary<string, string[]> Register(RegisterRequest request, out string nickname)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Phone is null || !PhonePattern().IsMatch(request.Phone))
        {
            errors["phone"] = ["Must be 11 digits starting with 1."];
        }

        // Counted in characters as a person sees them, so four emoji are four, not eight.
        if (request.Password is null || !TextRules.IsWellFormed(request.Password)
            || TextRules.LengthOf(request.Password) is < MinPasswordLength or > MaxPasswordLength)
        {
            errors["password"] = [$"Must be {MinPasswordLength} to {MaxPasswordLength} characters."];
        }

        if (TextRules.CheckName(request.Nickname, 1, MaxNicknameLength, out nickname) is { } nicknameError)
        {
            errors["nickname"] = [nicknameError];
        }

        return errors;
    }

    public static Dictionary<string, string[]> Login(LoginRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(request.Phone) || request.Phone.Length > MaxLoginPhoneLength)
        {
            errors["phone"] = ["Required."];
        }

        if (string.IsNullOrEmpty(request.Password) || TextRules.LengthOf(request.Password) > MaxPasswordLength)
        {
            errors["password"] = [$"Required, at most {MaxPasswordLength} characters."];
        }

        return errors;
    }

    public static Dictionary<string, string[]> Refresh(RefreshRequest request) =>
        string.IsNullOrEmpty(request.RefreshToken)
            ? new() { ["refreshToken"] = ["Required."] }
            : [];
}
