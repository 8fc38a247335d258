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

    /// <summary>The paid columns at <paramref name="priceFen"/>, as the catalog lists them to anyone.</summary>
    public static async Task<long[]> ColumnsAtAsync(Shopper shopper, long priceFen) =>
        [.. (await shopper.GetJsonAsync("/api/v1/columns?free=false&limit=100")).GetProperty("items").EnumerateArray()
            .Where(c => c.GetProperty("priceFen").GetInt64() == priceFen).Select(c => c.GetProperty("id").GetInt64())];
}
