namespace Dedao.Hosting;

/// <summary>A value from <c>Parameters:name</c>; a secret one without configuration is generated once per state folder.</summary>
public sealed class ParameterResource(string name, bool secret) : Resource(name)
{
    private string? _value;

    public override string Type => "Parameter";

    public bool Secret { get; } = secret;

    public string Value => _value ?? throw new InvalidOperationException($"Parameter '{Name}' is read before the application is built.");

    internal void Resolve(string value) => _value = value;
}
