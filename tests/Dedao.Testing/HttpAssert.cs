using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Dedao.Testing;

/// <summary>Asserts on an HTTP answer; a failure shows the body that came back.</summary>
public static partial class HttpAssert
{
    // A frame of a .NET stack trace ("at Dedao.Pay.Apis.PaymentApi.CreatePayment("), not prose such as "at most 64".
    [GeneratedRegex(@"\bat [\w.`<>+]+\.[\w`<>]+\(")]
    private static partial Regex StackFrame { get; }

    /// <summary>Asserts the status and returns the JSON body (a JSON null for an empty one).</summary>
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text.Length == 0 ? "null" : text);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Asserts an RFC 9457 problem: the status, in the header and in the body, the problem+json media type, the stable
    /// <paramref name="code"/>, and no stack trace. Returns the problem.
    /// </summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"expected application/problem+json, got {response.Content.Headers.ContentType}: {text}");
        using var document = JsonDocument.Parse(text);
        var problem = document.RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.DoesNotMatch(StackFrame, text);
        return problem;
    }
}
