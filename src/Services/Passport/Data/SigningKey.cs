namespace Dedao.Passport.Data;

/// <summary>An access-token signing key. The highest generation is the current one.</summary>
public sealed class SigningKey
{
    public int Id { get; set; }

    /// <summary>Unique, so two replicas creating "the next key" at once cannot both succeed.</summary>
    public int Generation { get; set; }

    public required string KeyId { get; set; }
    public required string Algorithm { get; set; }
    public required byte[] PrivateKeyPkcs8 { get; set; }
    public DateTime CreatedAt { get; set; }
}
