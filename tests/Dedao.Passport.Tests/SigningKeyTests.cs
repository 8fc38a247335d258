using System.Net;
using Dedao.Passport.Tests.Infrastructure;
using Dedao.Testing;

namespace Dedao.Passport.Tests;

/// <summary>Each test runs its own passports on a database of its own, next to the shared one.</summary>
[Collection(PassportCollection.Name)]
public sealed class SigningKeyTests(PassportFixture fixture)
{
    [Fact]
    public async Task The_key_survives_a_restart_and_earlier_tokens_stay_valid()
    {
        const string database = "passport_restart";
        string token;
        string kid;
        await using (var first = await fixture.StartPassportAsync(database))
        {
            using var client = new PassportClient(first.CreateClient());
            var user = await client.RegisterUserAsync();
            token = (await client.LoginTokensAsync(user.Phone, user.Password)).AccessToken;
            kid = (string)Jwt.Header(token)["kid"]!;
        }

        await using var second = await fixture.StartPassportAsync(database);
        using var again = new PassportClient(second.CreateClient());

        Assert.Equal([kid], await PublishedKidsAsync(again));
        using var me = await again.MeAsync(token);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task Two_replicas_starting_at_once_on_an_empty_database_share_one_key()
    {
        const string database = "passport_race";
        await fixture.MySql.CreateDatabaseAsync(database);

        var starting = new[] { fixture.StartPassportAsync(database), fixture.StartPassportAsync(database) };
        PassportProcess[] replicas;
        try
        {
            replicas = await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var started in starting.Where(s => s.IsCompletedSuccessfully))
            {
                await (await started).DisposeAsync();
            }

            throw;
        }

        await using var one = replicas[0];
        await using var other = replicas[1];

        var stored = await fixture.MySql.QueryAsync(database, "SELECT Generation, KeyId FROM signing_keys", reader =>
        {
            var keys = new List<(int Generation, string KeyId)>();
            while (reader.Read())
            {
                keys.Add((reader.GetInt32(0), reader.GetString(1)));
            }

            return keys;
        });
        var key = Assert.Single(stored);
        Assert.Equal(1, key.Generation);
        using var oneClient = new PassportClient(one.CreateClient());
        using var otherClient = new PassportClient(other.CreateClient());
        Assert.Equal([key.KeyId], await PublishedKidsAsync(oneClient));
        Assert.Equal([key.KeyId], await PublishedKidsAsync(otherClient));

        // A token from one replica is accepted by the other.
        var user = await oneClient.RegisterUserAsync();
        var token = (await oneClient.LoginTokensAsync(user.Phone, user.Password)).AccessToken;
        using var me = await otherClient.MeAsync(token);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task An_old_key_is_rotated_and_the_jwks_lists_the_current_and_the_previous_key()
    {
        const string database = "passport_rotation";
        string oldToken;
        string oldKid;
        await using (var first = await fixture.StartPassportAsync(database))
        {
            using var client = new PassportClient(first.CreateClient());
            var user = await client.RegisterUserAsync();
            oldToken = (await client.LoginTokensAsync(user.Phone, user.Password)).AccessToken;
            oldKid = (string)Jwt.Header(oldToken)["kid"]!;
        }

        await fixture.MySql.ExecuteAsync(database, "UPDATE signing_keys SET CreatedAt = CreatedAt - INTERVAL 31 DAY");
        await using var second = await fixture.StartPassportAsync(database);
        using var again = new PassportClient(second.CreateClient());

        var published = await PublishedKidsAsync(again);
        Assert.Equal(2, published.Count);
        Assert.Equal(oldKid, published[1]);
        var newUser = await again.RegisterUserAsync();
        var newToken = (await again.LoginTokensAsync(newUser.Phone, newUser.Password)).AccessToken;
        Assert.Equal(published[0], (string)Jwt.Header(newToken)["kid"]!);
        using var oldStillValid = await again.MeAsync(oldToken);
        Assert.Equal(HttpStatusCode.OK, oldStillValid.StatusCode);
    }

    private static async Task<List<string>> PublishedKidsAsync(PassportClient client)
    {
        using var response = await client.GetAsync("/api/v1/passport/.well-known/jwks.json");
        var jwks = await PassportClient.ReadJsonAsync(response);
        return [.. jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!)];
    }
}
