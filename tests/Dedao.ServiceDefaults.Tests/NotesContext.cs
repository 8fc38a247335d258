using Microsoft.EntityFrameworkCore;

namespace Dedao.ServiceDefaults.Tests;

public sealed class Note
{
    public int Id { get; set; }

    public required string Text { get; set; }
}

public sealed class NotesContext(DbContextOptions<NotesContext> options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();
}
