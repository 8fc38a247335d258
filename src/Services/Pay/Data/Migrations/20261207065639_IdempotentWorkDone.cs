using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dedao.Pay.Data.Migrations
{
    /// <inheritdoc />
    public partial class IdempotentWorkDone : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "WorkDoneAt",
                table: "idempotent_requests",
                type: "datetime(6)",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "WorkDoneAt",
                table: "idempotent_requests");
        }
    }
}
