using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Dedao.Column.Data;

/// <summary>Lets <c>dotnet ef</c> build the model without a server or the app's configuration.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ColumnDbContext>
{
    public ColumnDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<ColumnDbContext>()
        .UseMySql("Server=localhost;Database=column", new MariaDbServerVersion(new Version(10, 11)))
        .Options);
}
