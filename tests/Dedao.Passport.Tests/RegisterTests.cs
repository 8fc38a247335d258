using System.Net;
using Dedao.Passport.Tests.Infrastructure;
using Dedao.Testing;

namespace Dedao.Passport.Tests;

[Collection(PassportCollection.Name)]
public sealed class RegisterTests(PassportFixture fixture)
{
    [Fact]
    public async Task A_new_phone_is_registered_with_201_and_a_user_id()
    {
        using var client = fixture.CreateClient();
        using var response = await client.RegisterAsync(new { phone = Readers.NewPhone(), password = Readers.Password, nickname = "读者" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await PassportClient.ReadJsonAsync(response);
        Assert.NotEqual(Guid.Empty, body.GetProperty("userId").GetGuid());
    }

    [Fact]
    public async Task A_phone_registered_twice_is_409_phone_taken()
    {
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();

        using var again = await client.RegisterAsync(new { phone = user.Phone, password = "another password", nickname = "other" });

        await HttpAssert.ProblemAsync(again, HttpStatusCode.Conflict, "phone_taken");
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_phone_create_one_user()
    {
        using var client = fixture.CreateClient();
        var phone = Readers.NewPhone();

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            client.RegisterAsync(new { phone, password = Readers.Password, nickname = "racer" })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Theory]
    [InlineData("2380000000", "phone")]
    [InlineData("1380000000", "phone")]
    [InlineData("138000000001", "phone")]
    [InlineData("1380000000a", "phone")]
    [InlineData("13800000000\n", "phone")]
    [InlineData("１３８００００００００", "phone")]
    public async Task A_malformed_phone_is_400_validation_failed(string phone, string field)
    {
        using var client = fixture.CreateClient();
        using var response = await client.RegisterAsync(new { phone, password = Readers.Password, nickname = "n" });

        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(129)]
    public async Task A_password_outside_8_to_128_characters_is_400(int length)
    {
        using var client = fixture.CreateClient();
        using var response = await client.RegisterAsync(new { phone = Readers.NewPhone(), password = new string('p', length), nickname = "n" });

        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(128)]
    public async Task A_password_of_8_or_128_characters_is_accepted(int length)
    {
        using var client = fixture.CreateClient();
        using var response = await client.RegisterAsync(new { phone = Readers.NewPhone(), password = new string('p', length), nickname = "n" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("123456789012345678901234567890123")]
    public async Task A_nickname_outside_1_to_32_characters_is_400(string nickname)
    {
        using var client = fixture.CreateClient();
        using var response = await client.RegisterAsync(new { phone = Readers.NewPhone(), password = Readers.Password, nickname });

        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("nickname", out _));
    }

    [Fact]
    public async Task Missing_fields_are_each_named_in_errors()
    {
        using var client = fixture.CreateClient();
        using var response = await client.RegisterAsync(new { });

        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("phone", out _));
        Assert.True(errors.TryGetProperty("password", out _));
        Assert.True(errors.TryGetProperty("nickname", out _));
    }

    [Theory]
    [InlineData("\u0000\u202e<script>")]
    [InlineData("reader\u202egnp.exe")]
    [InlineData("line\nbreak")]
    [InlineData("tab\there")]
    [InlineData("iso\u2066late")]
    public async Task A_nickname_with_control_or_bidi_characters_is_400(string nickname)
    {
        using var client = fixture.CreateClient();
        using var response = await client.RegisterAsync(new { phone = Readers.NewPhone(), password = Readers.Password, nickname });

        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("nickname", out _));
    }

    [Fact]
    public async Task A_password_is_counted_in_characters_so_four_emoji_are_too_short()
    {
        using var client = fixture.CreateClient();
        using var tooShort = await client.RegisterAsync(new { phone = Readers.NewPhone(), password = "😀😀😀😀", nickname = "reader" });
        using var enough = await client.RegisterAsync(new { phone = Readers.NewPhone(), password = "😀😀😀😀😀😀😀😀", nickname = "reader" });

        var problem = await HttpAssert.ProblemAsync(tooShort, HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
        Assert.Equal(HttpStatusCode.Created, enough.StatusCode);
    }

    [Fact]
    public async Task A_nickname_is_stored_in_nfc_and_counted_in_characters()
    {
        using var client = fixture.CreateClient();
        var phone = Readers.NewPhone();
        // "e" + combining acute, 32 of them: 64 UTF-16 units, 32 characters once composed.
        var decomposed = string.Concat(Enumerable.Repeat("e\u0301", 32));
        using var created = await client.RegisterAsync(new { phone, password = Readers.Password, nickname = decomposed });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var tokens = await client.LoginTokensAsync(phone, Readers.Password);

        using var me = await client.MeAsync(tokens.AccessToken);

        Assert.Equal(new string('\u00e9', 32), (await PassportClient.ReadJsonAsync(me)).GetProperty("nickname").GetString());
    }
}
