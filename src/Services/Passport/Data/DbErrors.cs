using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace Dedao.Passport.Data;

internal static class DbErrors
{
    public static bool IsDuplicateKey(this DbUpdateException exception) =>
        exception.InnerException is MySqlException { ErrorCode: MySqlErrorCode.DuplicateKeyEntry };
}
