using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Publishing;

namespace Aspire.Hosting;

public static class GeneratedSecretBuilderExtensions
{
    /// <summary>
    /// A secret parameter: <c>Parameters:&lt;name&gt;</c> when configured, else generated once and kept in the state folder
    /// beside the data it protects, so a second run opens the first run's data.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddGeneratedSecret(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddResource(CreateGeneratedSecret(builder, name));

    /// <summary>The same, for a server's password: not in the model until the server references it.</summary>
    public static ParameterResource CreateGeneratedSecret(IDistributedApplicationBuilder builder, string name)
    {
        // No special characters: the password goes into URIs and Redis connection strings.
        var generated = new GenerateParameterDefault { MinLength = 24, Special = false };
        ParameterDefault parameterDefault = builder.ExecutionContext.IsRunMode
            ? new StateFolderParameterDefault(generated, Path.Combine(StateFolder.For(builder).Folder("secrets"), name))
            : generated;
        return new ParameterResource(name, value => builder.Configuration[$"Parameters:{name}"] is { Length: > 0 } configured
            ? configured
            : value?.GetDefaultValue() ?? throw new DistributedApplicationException($"Parameter '{name}' has no value."), secret: true)
        {
            Default = parameterDefault,
        };
    }

    private sealed class StateFolderParameterDefault(ParameterDefault inner, string path) : ParameterDefault
    {
        private readonly Lock _gate = new();

        public override string GetDefaultValue()
        {
            lock (_gate)
            {
                if (File.Exists(path))
                {
                    return File.ReadAllText(path).Trim();
                }

                var value = inner.GetDefaultValue();
                StateFolder.WritePrivateFile(path, value);
                return value;
            }
        }

        public override void WriteToManifest(ManifestPublishingContext context) => inner.WriteToManifest(context);
    }
}
