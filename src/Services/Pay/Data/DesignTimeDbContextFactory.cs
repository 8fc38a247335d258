using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Dedao.Pay.Data;

/// <summary>Lets <c>dotnet ef</c> build the model without a server or the app's configuration.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<PayDbContext>
{
    public PayDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<PayDbContext>()
        .UseMySql("Server=localhost;Database=pay", new MariaDbServerVersion(new Version(10, 11)))
        .Options);
}
