namespace Dedao.Passport.Data;

public sealed class User
{
    public const string UserRole = "user";
    public const string AdminRole = "admin";

    public Guid Id { get; set; }
    public required string Phone { get; set; }
    public required string Nickname { get; set; }
    public string PasswordHash { get; set; } = "";

    /// <summary>Space-separated; a user has few roles and they are always read together with the user.</summary>
    public string Roles { get; set; } = UserRole;

    public DateTime CreatedAt { get; set; }

    public IReadOnlyList<string> RoleList => Roles.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public void AddRole(string role)
    {
        if (!RoleList.Contains(role))
        {
            Roles = string.Join(' ', RoleList.Append(role));
        }
    }
}
