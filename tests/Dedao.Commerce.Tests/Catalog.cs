namespace Dedao.Commerce.Tests;

/// <summary>The seeded catalog's products the tests buy (every fourth column and fifth course is free).</summary>
internal static class Catalog
{
    public const long PaidColumn = 1;
    public const long PaidColumnPriceFen = 9900;
    public const long FreeColumn = 4;
    public const long PaidCourse = 1;
    public const long UnknownProduct = 999_999;

    /// <summary>The paid columns and courses, as (type, id): 15 columns and 8 courses.</summary>
    public static IEnumerable<(string Type, long Id)> PaidProducts =>
        Enumerable.Range(1, 20).Where(n => n % 4 != 0).Select(n => ("column", (long)n))
            .Concat(Enumerable.Range(1, 10).Where(n => n % 5 != 0).Select(n => ("course", (long)n)));
}
