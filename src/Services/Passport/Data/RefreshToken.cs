namespace Dedao.Passport.Data;

/// <summary>
/// One refresh token of a rotation family. Only the SHA-256 of the token is kept, so a copy of the
/// table does not let anyone sign in.
/// </summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }
    public required byte[] TokenHash { get; set; }
    public Guid FamilyId { get; set; }
    public Guid UserId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }

    /// <summary>Set when the token was exchanged; presenting it again means it leaked.</summary>
    public Guid? ReplacedBy { get; set; }

    public DateTime? RevokedAt { get; set; }
}
