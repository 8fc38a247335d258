using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Dedao.Caching.Generators;

/// <summary>
/// The seed's <c>generate_storage.sh</c> as a Roslyn incremental generator: for each <c>[CachedTable&lt;TContext&gt;(key)]</c>
/// on an EF entity it writes the table's storage (one <c>WHERE key IN (...)</c> query for many keys), and
/// <c>AddCachedTables()</c> registers them all as <c>IStorage</c> behind the multi-level cache.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class CachedTableGenerator : IIncrementalGenerator
{
    private const string AttributeName = "Dedao.Caching.CachedTableAttribute`1";

    private static readonly DiagnosticDescriptor KeyNotFound = new(
        "DDC001", "Cached table key not found",
        "'{0}' has no property '{1}' to cache its table by",
        "Dedao.Caching", DiagnosticSeverity.Error, isEnabledByDefault: true);

    // The backplane sends changed keys to the other replicas as text, and they parse them back (IParsable<T>).
    private static readonly DiagnosticDescriptor KeyNotParsable = new(
        "DDC002", "Cached table key cannot be sent as text",
        "'{0}.{1}' is a {2}, which cannot key a cached table: a key must parse from its text (IParsable<T>), as strings, numbers and Guids do",
        "Dedao.Caching", DiagnosticSeverity.Error, isEnabledByDefault: true);

    // Two storages of one name would share their Redis keys, metrics and configuration.
    private static readonly DiagnosticDescriptor DuplicateStorage = new(
        "DDC003", "Cached tables share a storage name",
        "The storage '{0}' is made by another [CachedTable] of this assembly already; two storages of one name would share their Redis keys",
        "Dedao.Caching", DiagnosticSeverity.Error, isEnabledByDefault: true);

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var tables = context.SyntaxProvider
            .ForAttributeWithMetadataName(AttributeName, static (node, _) => true, static (attributed, _) => Read(attributed))
            .SelectMany(static (tables, _) => tables);

        // All at once: whether a table's storage may be written depends on the others (DDC003).
        context.RegisterSourceOutput(tables.Collect(), static (output, all) =>
        {
            var written = new List<CachedTable>();
            var names = new HashSet<string>();
            foreach (var table in all)
            {
                if (table.Error is { } error)
                {
                    output.ReportDiagnostic(error == CachedTable.KeyNotFound
                        ? Diagnostic.Create(KeyNotFound, table.Location, table.EntityName, table.Key)
                        : Diagnostic.Create(KeyNotParsable, table.Location, table.EntityName, table.Key, table.KeyType));
                }
                else if (!names.Add(table.StorageName))
                {
                    output.ReportDiagnostic(Diagnostic.Create(DuplicateStorage, table.Location, table.StorageName));
                }
                else
                {
                    output.AddSource($"{table.Namespace}.{table.ClassName}.g.cs", SourceText.From(Storage(table), Encoding.UTF8));
                    written.Add(table);
                }
            }

            if (written.Count > 0)
            {
                output.AddSource("CachedTables.g.cs", SourceText.From(Registration(written), Encoding.UTF8));
            }
        });
    }

    private static ImmutableArray<CachedTable> Read(GeneratorAttributeSyntaxContext attributed)
    {
        var entity = (INamedTypeSymbol)attributed.TargetSymbol;
        var builder = ImmutableArray.CreateBuilder<CachedTable>();
        foreach (var attribute in attributed.Attributes)
        {
            if (attribute.AttributeClass is not { TypeArguments.Length: 1 } attributeClass
                || attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not string key)
            {
                continue;
            }

            var dbContext = attributeClass.TypeArguments[0];
            var series = attribute.NamedArguments.Any(static a => a is { Key: "Series", Value.Value: true });
            var property = FindProperty(entity, key);
            // A nullable key column caches the rows that have a key, by the key's own type: long? is read as long.
            var nullableValue = property?.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable
                ? nullable.TypeArguments[0]
                : null;
            var keyType = nullableValue ?? property?.Type;
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax();
            var location = syntax?.GetLocation();
            builder.Add(new CachedTable(
                entity.ContainingNamespace.IsGlobalNamespace ? "" : entity.ContainingNamespace.ToDisplayString(),
                entity.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                entity.Name,
                dbContext.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                key,
                keyType?.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) ?? "",
                series,
                nullableValue is not null ? CachedTable.NullableValue
                    : property is { Type: { IsReferenceType: true, NullableAnnotation: NullableAnnotation.Annotated } } ? CachedTable.NullableReference
                    : null,
                attributed.SemanticModel.Compilation.AssemblyName ?? "app",
                keyType is null ? CachedTable.KeyNotFound
                    : IsParsable(keyType, attributed.SemanticModel.Compilation) ? null
                    : CachedTable.KeyNotParsable,
                location?.SourceTree?.FilePath,
                location?.SourceSpan ?? default,
                location?.GetLineSpan().Span ?? default));
        }

        return builder.ToImmutable();
    }

    private static bool IsParsable(ITypeSymbol type, Compilation compilation) =>
        compilation.GetTypeByMetadataName("System.IParsable`1") is { } parsable
        && type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, parsable)
                                       && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], type.WithNullableAnnotation(NullableAnnotation.NotAnnotated)));

    private static IPropertySymbol? FindProperty(INamedTypeSymbol entity, string name)
    {
        for (var type = entity; type is not null; type = type.BaseType)
        {
            if (type.GetMembers(name).OfType<IPropertySymbol>().FirstOrDefault() is { } property)
            {
                return property;
            }
        }

        return null;
    }

    private static string Storage(CachedTable table)
    {
        var result = table.Series
            ? $"rows.GroupBy(e => {table.RowKey}).ToDictionary(g => g.Key, g => (global::System.Collections.Generic.IReadOnlyList<{table.Entity}>)g.ToList())"
            : $"rows.ToDictionary(e => {table.RowKey})";
        var namespaceLine = table.Namespace.Length == 0 ? "" : $"namespace {table.Namespace};";
        return $$"""
            // <auto-generated/> by Dedao.Caching.Generators from [CachedTable] on {{table.EntityName}}.
            #nullable enable
            using System.Linq;
            using Microsoft.EntityFrameworkCore;

            {{namespaceLine}}

            /// <summary>The {{table.EntityName}} table read by {{table.Key}}{{(table.Series ? ", all rows of a key together" : "")}}, as the last tier of the multi-level cache.</summary>
            [global::System.CodeDom.Compiler.GeneratedCode("Dedao.Caching.Generators", "1.0")]
            public sealed class {{table.ClassName}}(
                global::Microsoft.Extensions.DependencyInjection.IServiceScopeFactory scopes,
                global::Dedao.Caching.StorageOptions options,
                global::Dedao.Caching.CacheMetrics metrics)
                : global::Dedao.Caching.TableStorage<{{table.Context}}, {{table.KeyType}}, {{table.ValueType}}>(StorageName, scopes, options, metrics)
            {
                public const string StorageName = "{{table.StorageName}}";

                protected override async global::System.Threading.Tasks.Task<global::System.Collections.Generic.IReadOnlyDictionary<{{table.KeyType}}, {{table.ValueType}}>> QueryAsync(
                    {{table.Context}} db, {{table.KeyType}}[] keys, global::System.Threading.CancellationToken cancellationToken)
                {
                    // The keys as constants: WHERE {{table.Key}} IN (...), one statement for the whole batch.
                    var rows = await db.Set<{{table.Entity}}>().AsNoTracking()
                        .Where(e => global::System.Linq.Enumerable.Contains(EF.Constant(keys), {{table.QueryKey}}))
                        .ToListAsync(cancellationToken);
                    return {{result}};
                }
            }

            """;
    }

    private static string Registration(List<CachedTable> tables)
    {
        var lines = new StringBuilder();
        foreach (var table in tables)
        {
            var type = table.Namespace.Length == 0 ? $"global::{table.ClassName}" : $"global::{table.Namespace}.{table.ClassName}";
            lines.AppendLine($$"""
                        global::Microsoft.Extensions.Hosting.CachingExtensions.AddStorage<{{table.KeyType}}, {{table.ValueType}}>(
                            services, {{type}}.StorageName, static (sp, options) => new {{type}}(
                                global::Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<global::Microsoft.Extensions.DependencyInjection.IServiceScopeFactory>(sp),
                                options,
                                global::Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<global::Dedao.Caching.CacheMetrics>(sp)));
                """);
        }

        return $$"""
            // <auto-generated/> by Dedao.Caching.Generators from every [CachedTable] of this assembly.
            #nullable enable
            namespace Microsoft.Extensions.DependencyInjection;

            [global::System.CodeDom.Compiler.GeneratedCode("Dedao.Caching.Generators", "1.0")]
            internal static class CachedTablesServiceCollectionExtensions
            {
                /// <summary>Registers IStorage behind the multi-level cache for every [CachedTable] of this assembly; needs AddMultiLevelCache().</summary>
                public static global::Microsoft.Extensions.DependencyInjection.IServiceCollection AddCachedTables(this global::Microsoft.Extensions.DependencyInjection.IServiceCollection services)
                {
            {{lines}}        return services;
                }
            }

            """;
    }
}
