using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Dedao.ServiceDefaults.Data;

/// <summary>MySQL's DATETIME keeps no time zone; every time we store is UTC, so it is read back as UTC.</summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value, value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
