using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Dedao.Comment.Data;

/// <summary>Lets <c>dotnet ef</c> build the model without a server or the app's configuration.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<CommentDbContext>
{
    public CommentDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<CommentDbContext>()
        .UseMySql("Server=localhost;Database=comment", new MariaDbServerVersion(new Version(10, 11)))
        .Options);
}
