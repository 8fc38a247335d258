using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Dedao.Coin.Data;

/// <summary>Lets <c>dotnet ef</c> build the model without a server or the app's configuration.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<CoinDbContext>
{
    public CoinDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<CoinDbContext>()
        .UseMySql("Server=localhost;Database=coin", new MariaDbServerVersion(new Version(10, 11)))
        .Options);
}
