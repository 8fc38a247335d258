using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dedao.Testing;

/// <summary>Reads and forges compact JWTs by hand, so the tests do not trust the library under test.</summary>
public static class Jwt
{
    public static JsonObject Header(string token) => Decode(token.Split('.')[0]);

    public static JsonObject Payload(string token) => Decode(token.Split('.')[1]);

    public static string Sign(JsonObject header, JsonObject payload, ECDsa key)
    {
        var signingInput = $"{Encode(header)}.{Encode(payload)}";
        // .NET's ECDsa signs in IEEE P1363 form (r || s), which is what JWS wants.
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    public static string WithAlgNone(JsonObject payload) =>
        $"{Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" })}.{Encode(payload)}.";

    public static string WithHmac(JsonObject header, JsonObject payload, byte[] secret)
    {
        var signingInput = $"{Encode(header)}.{Encode(payload)}";
        return $"{signingInput}.{Base64Url.EncodeToString(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)))}";
    }

    /// <summary>The same token with another payload and the original signature.</summary>
    public static string WithPayload(string token, JsonObject payload)
    {
        var parts = token.Split('.');
        return $"{parts[0]}.{Encode(payload)}.{parts[2]}";
    }

    public static JsonObject Es256Header(string kid) => new() { ["alg"] = "ES256", ["kid"] = kid, ["typ"] = "JWT" };

    private static string Encode(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));

    private static JsonObject Decode(string part) =>
        JsonSerializer.Deserialize<JsonObject>(Base64Url.DecodeFromChars(part))!;
}
