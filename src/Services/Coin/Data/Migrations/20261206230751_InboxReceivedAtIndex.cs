using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dedao.Coin.Data.Migrations
{
    /// <inheritdoc />
    public partial class InboxReceivedAtIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_inbox_received_at",
                table: "inbox",
                column: "received_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_inbox_received_at",
                table: "inbox");
        }
    }
}
