namespace Aspire.Pomelo.EntityFrameworkCore.MySql;

/// <summary>
/// What <c>AddMySqlDbContext</c> reads from <c>Aspire:Pomelo:EntityFrameworkCore:MySql</c> (and the context's own
/// subsection): the settings of Aspire's package of the same name, so services move to it without a change.
/// </summary>
public sealed class PomeloEntityFrameworkCoreMySqlSettings
{
    /// <summary>Taken from <c>ConnectionStrings:&lt;name&gt;</c> when that is set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Like <c>8.0.36-mysql</c> or <c>10.11.6-mariadb</c>; when unset, the server is asked once.</summary>
    public string? ServerVersion { get; set; }

    public bool DisableRetry { get; set; }

    /// <summary>Seconds; when unset, 1 s, so a frozen server fails a request within the gateway's 2 s.</summary>
    public int? CommandTimeout { get; set; }

    public bool DisableHealthChecks { get; set; }

    public bool DisableTracing { get; set; }

    public bool DisableMetrics { get; set; }
}
