using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dedao.Comment.Data.Migrations
{
    /// <inheritdoc />
    public partial class FeaturedTarget : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Comments_TargetType_TargetId_Status_FeaturedAt",
                table: "Comments");

            migrationBuilder.AddColumn<string>(
                name: "FeaturedTarget",
                table: "Comments",
                type: "varchar(40)",
                maxLength: 40,
                nullable: true,
                computedColumnSql: "CASE WHEN `Status` = 'Featured' THEN CONCAT(`TargetType`, ':', `TargetId`) END",
                stored: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateIndex(
                name: "IX_Comments_FeaturedTarget",
                table: "Comments",
                column: "FeaturedTarget");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Comments_FeaturedTarget",
                table: "Comments");

            migrationBuilder.DropColumn(
                name: "FeaturedTarget",
                table: "Comments");

            migrationBuilder.CreateIndex(
                name: "IX_Comments_TargetType_TargetId_Status_FeaturedAt",
                table: "Comments",
                columns: new[] { "TargetType", "TargetId", "Status", "FeaturedAt" });
        }
    }
}
