using Microsoft.EntityFrameworkCore;

namespace Dedao.Course.Data;

public class CourseDbContext(DbContextOptions<CourseDbContext> options) : DbContext(options)
{
    public DbSet<Course> Courses => Set<Course>();
    public DbSet<Lesson> Lessons => Set<Lesson>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Course>(course =>
        {
            course.Property(c => c.Title).HasMaxLength(200);
            course.Property(c => c.Teacher).HasMaxLength(64);
            course.HasMany(c => c.Lessons).WithOne().HasForeignKey(l => l.CourseId);
        });
        modelBuilder.Entity<Lesson>(lesson =>
        {
            lesson.Property(l => l.Title).HasMaxLength(200);
            lesson.Property(l => l.MediaUrl).HasMaxLength(500);
        });
    }
}
