using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Dedao.Course.Data;

/// <summary>Lets <c>dotnet ef</c> build the model without a server or the app's configuration.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<CourseDbContext>
{
    public CourseDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<CourseDbContext>()
        .UseMySql("Server=localhost;Database=course", new MariaDbServerVersion(new Version(10, 11)))
        .Options);
}
