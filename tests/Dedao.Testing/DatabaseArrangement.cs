using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Dedao.Testing;

/// <summary>
/// What a test arranges in a database through a service's own context, whose command timeout is the services' 1 s: the
/// arrangement gets 30 s, since a loaded CI machine is no fault of what is under test (EnsureCreated ran out once).
/// </summary>
public static class DatabaseArrangement
{
    public static async Task EnsureCreatedPatientlyAsync(this DatabaseFacade database)
    {
        var timeout = database.GetCommandTimeout();
        database.SetCommandTimeout(TimeSpan.FromSeconds(30));
        try
        {
            await database.EnsureCreatedAsync();
        }
        finally
        {
            database.SetCommandTimeout(timeout);
        }
    }
}
