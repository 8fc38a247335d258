using Dedao.Caching.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dedao.Caching.Tests;

/// <summary>The generator run by hand on snippets, as the compiler runs it: what it reports, where, and that what it writes compiles.</summary>
public sealed class GeneratorDiagnosticsTests
{
    private const string Snippet = """
        using Dedao.Caching;
        using Microsoft.EntityFrameworkCore;

        namespace Shop;

        public class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options);

        [CachedTable<ShopContext>("Sku")]
        public class Item
        {
            public long Id { get; set; }
        }

        [CachedTable<ShopContext>(nameof(Shelf), Series = true)]
        public class Tag
        {
            public long Id { get; set; }
            public string? Shelf { get; private set; }
        }
        """;

    private const string KeysSnippet = """
        using Dedao.Caching;
        using Microsoft.EntityFrameworkCore;

        namespace Shop
        {
            public enum Kind { Book, Pen }

            public class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options);

            [CachedTable<ShopContext>(nameof(Kind), Series = true)]
            public class Item
            {
                public long Id { get; set; }
                public Kind Kind { get; set; }
            }

            [CachedTable<ShopContext>(nameof(ShelfId), Series = true)]
            [CachedTable<ShopContext>(nameof(Id))]
            public class Tag
            {
                public long Id { get; set; }
                public long? ShelfId { get; set; }
            }
        }

        namespace Shop.Archive
        {
            [CachedTable<Shop.ShopContext>(nameof(Id))]
            public class Tag
            {
                public long Id { get; set; }
            }
        }
        """;

    [Fact]
    public void A_key_the_entity_lacks_is_DDC001_on_the_attribute_and_the_other_tables_are_still_written()
    {
        var (tree, diagnostics, generated, errors) = Generate(Snippet);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("DDC001", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("'Item' has no property 'Sku' to cache its table by", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Shop.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(7, diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Equal("""CachedTable<ShopContext>("Sku")""", tree.GetText().ToString(diagnostic.Location.SourceSpan));

        // Tag's storage (a nullable key read as a series) and the registration are written and compile clean; Item's is not.
        Assert.Equal(["CachedTables.g.cs", "Shop.TagByShelfTable.g.cs"], generated);
        Assert.Empty(errors);
    }

    [Fact]
    public void A_key_that_cannot_be_parsed_is_DDC002_a_second_storage_of_one_name_DDC003_and_a_nullable_number_keys_a_series()
    {
        var (tree, diagnostics, generated, errors) = Generate(KeysSnippet);

        Assert.Equal(["DDC002", "DDC003"], diagnostics.Select(d => d.Id).Order());
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        var enumKey = diagnostics.Single(d => d.Id == "DDC002");
        Assert.Equal("""CachedTable<ShopContext>(nameof(Kind), Series = true)""", tree.GetText().ToString(enumKey.Location.SourceSpan));
        Assert.Contains("'Item.Kind' is a global::Shop.Kind", enumKey.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        // The first of the two that would share 'shop.tag-by-id' keeps the name.
        var duplicate = diagnostics.Single(d => d.Id == "DDC003");
        Assert.Equal("""CachedTable<Shop.ShopContext>(nameof(Id))""", tree.GetText().ToString(duplicate.Location.SourceSpan));
        Assert.Contains("'shop.tag-by-id'", duplicate.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        Assert.Equal(["CachedTables.g.cs", "Shop.TagByIdTable.g.cs", "Shop.TagByShelfIdTable.g.cs"], generated);
        Assert.Empty(errors);
    }

    /// <summary>Runs the generator as the compiler would: what it reports, the files it writes, and what the result fails to compile with.</summary>
    private static (SyntaxTree Tree, IReadOnlyList<Diagnostic> Reported, IReadOnlyList<string> Generated, IReadOnlyList<Diagnostic> Errors) Generate(string source)
    {
        var tree = CSharpSyntaxTree.ParseText(source, path: "Shop.cs");
        var compilation = CSharpCompilation.Create("Shop", [tree], References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
                // As the SDK does: EF Core names 8.0 framework assemblies, unified with 10.0's.
                .WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));

        CSharpGeneratorDriver.Create(new CachedTableGenerator())
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);

        var generated = output.SyntaxTrees.Where(t => t != tree).Select(t => Path.GetFileName(t.FilePath)).Order().ToList();
        return (tree, diagnostics, generated, [.. output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning)]);
    }

    /// <summary>What the test host runs on: the framework, EF Core and Dedao.Caching, as a service compiling them would see them.</summary>
    private static IEnumerable<MetadataReference> References() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
        .Select(path => MetadataReference.CreateFromFile(path));
}
