using Dedao.Caching;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Caching.Tests;

/// <summary>A table cached as a service's would be: by its primary key, and by a column many rows share. The attributes are all the code it takes.</summary>
[CachedTable<LibraryDbContext>(nameof(Id))]
[CachedTable<LibraryDbContext>(nameof(ShelfId), Series = true)]
public class Book
{
    public long Id { get; set; }
    public long ShelfId { get; set; }
    public required string Title { get; set; }
}

public class LibraryDbContext(DbContextOptions<LibraryDbContext> options) : DbContext(options)
{
    public DbSet<Book> Books => Set<Book>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Book>(book =>
        {
            book.Property(b => b.Id).ValueGeneratedNever();
            book.Property(b => b.Title).HasMaxLength(200);
            book.HasIndex(b => b.ShelfId);
        });
}
