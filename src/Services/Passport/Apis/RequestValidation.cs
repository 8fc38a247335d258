using System.Text.RegularExpressions;

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

    public static Dictionary<string, string[]> Register(RegisterRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Phone is null || !PhonePattern().IsMatch(request.Phone))
        {
            errors["phone"] = ["Must be 11 digits starting with 1."];
        }

        if (request.Password is null || request.Password.Length is < MinPasswordLength or > MaxPasswordLength)
        {
            errors["password"] = [$"Must be {MinPasswordLength} to {MaxPasswordLength} characters."];
        }

        // Counted in code points, as the database counts them, so an emoji is one character.
        var nicknameLength = request.Nickname?.Trim().EnumerateRunes().Count() ?? 0;
        if (nicknameLength is < 1 or > MaxNicknameLength)
        {
            errors["nickname"] = [$"Must be 1 to {MaxNicknameLength} characters."];
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

        if (string.IsNullOrEmpty(request.Password) || request.Password.Length > MaxPasswordLength)
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
