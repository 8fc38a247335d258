using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Dedao.Passport.Data;

/// <summary>Lets `dotnet ef` build the model without a running server or the app's configuration.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<PassportDbContext>
{
    public PassportDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PassportDbContext>()
            .UseMySql("Server=localhost;Database=passport", new MariaDbServerVersion(new Version(10, 11)))
            .Options;
        return new PassportDbContext(options);
    }
}
