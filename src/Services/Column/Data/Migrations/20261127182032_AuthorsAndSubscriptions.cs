using System;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dedao.Column.Data.Migrations
{
    /// <inheritdoc />
    public partial class AuthorsAndSubscriptions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Authors",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("MySql:ValueGenerationStrategy", MySqlValueGenerationStrategy.IdentityColumn),
                    Name = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Authors", x => x.Id);
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<long>(
                name: "AuthorId",
                table: "Columns",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // A catalog seeded before authors had a table keeps its authors: one row per name, columns pointed at it.
            migrationBuilder.Sql("INSERT INTO Authors (Name) SELECT DISTINCT Author FROM Columns ORDER BY Author;");
            migrationBuilder.Sql("UPDATE Columns c JOIN Authors a ON a.Name = c.Author SET c.AuthorId = a.Id;");

            migrationBuilder.DropColumn(
                name: "Author",
                table: "Columns");

            migrationBuilder.CreateTable(
                name: "Subscriptions",
                columns: table => new
                {
                    UserId = table.Column<Guid>(type: "char(36)", nullable: false, collation: "ascii_general_ci"),
                    ColumnId = table.Column<long>(type: "bigint", nullable: false),
                    OrderId = table.Column<long>(type: "bigint", nullable: false),
                    GrantedAt = table.Column<DateTime>(type: "datetime(6)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Subscriptions", x => new { x.UserId, x.ColumnId });
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateIndex(
                name: "IX_Columns_AuthorId",
                table: "Columns",
                column: "AuthorId");

            migrationBuilder.AddForeignKey(
                name: "FK_Columns_Authors_AuthorId",
                table: "Columns",
                column: "AuthorId",
                principalTable: "Authors",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Columns_Authors_AuthorId",
                table: "Columns");

            migrationBuilder.DropTable(
                name: "Authors");

            migrationBuilder.DropTable(
                name: "Subscriptions");

            migrationBuilder.DropIndex(
                name: "IX_Columns_AuthorId",
                table: "Columns");

            migrationBuilder.DropColumn(
                name: "AuthorId",
                table: "Columns");

            migrationBuilder.AddColumn<string>(
                name: "Author",
                table: "Columns",
                type: "varchar(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "")
                .Annotation("MySql:CharSet", "utf8mb4");
        }
    }
}
