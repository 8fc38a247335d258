using Dedao.Messaging;
using Dedao.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Course.Data;

public class CourseDbContext(DbContextOptions<CourseDbContext> options) : DbContext(options)
{
    public DbSet<Course> Courses => Set<Course>();
    public DbSet<Lesson> Lessons => Set<Lesson>();
    public DbSet<Purchase> Purchases => Set<Purchase>();
    public DbSet<LessonProgress> Progress => Set<LessonProgress>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddMessagingTables();
        modelBuilder.Entity<Course>(course =>
        {
            course.Property(c => c.Title).HasMaxLength(200);
            course.Property(c => c.Teacher).HasMaxLength(64);
            course.HasMany(c => c.Lessons).WithOne(l => l.Course).HasForeignKey(l => l.CourseId);
        });
        modelBuilder.Entity<Lesson>(lesson =>
        {
            lesson.Property(l => l.Title).HasMaxLength(200);
            lesson.Property(l => l.MediaUrl).HasMaxLength(500);
        });
        // One row per reader and course: a repeat of the same grant finds it instead of adding another.
        modelBuilder.Entity<Purchase>().HasKey(p => new { p.UserId, p.CourseId });
        modelBuilder.Entity<LessonProgress>(progress =>
        {
            progress.ToTable("LessonProgress");
            progress.HasKey(p => new { p.UserId, p.LessonId });
            progress.HasIndex(p => new { p.UserId, p.CourseId });
        });
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();

    // DATETIME keeps no zone; every time stored here is UTC, so it is read back as UTC.
}
