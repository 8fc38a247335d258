using System.Security.Cryptography;
using System.Text;

namespace Dedao.Pay.Sandbox;

/// <summary>The provider's notice of a payment's outcome, as it posts it to <c>/api/v1/payments/notify</c>.</summary>
public sealed record SandboxNotice(long PaymentId, long AmountFen, string Result, string TransactionId)
{
    public const string SignatureHeader = "X-Sandbox-Signature";

    /// <summary>Whether <paramref name="signature"/> (hex) is the HMAC-SHA256 of the body under the shared secret, compared in constant time.</summary>
    public static bool IsSignedBy(string secret, ReadOnlySpan<byte> body, string signature)
    {
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        Span<byte> given = stackalloc byte[expected.Length];
        return signature.Length == expected.Length * 2
            && Convert.FromHexString(signature, given, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == expected.Length
            && CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
