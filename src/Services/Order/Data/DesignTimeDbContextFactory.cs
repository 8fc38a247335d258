using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Dedao.Order.Data;

/// <summary>Lets <c>dotnet ef</c> build the model without a server or the app's configuration.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<OrderDbContext>
{
    public OrderDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<OrderDbContext>()
        .UseMySql("Server=localhost;Database=order", new MariaDbServerVersion(new Version(10, 11)))
        .Options);
}
