namespace Aspire.Hosting.ApplicationModel;

/// <summary>A MySQL server in any of its forms; its connection string names no database.</summary>
#pragma warning disable CA1040 // A marker: AddDatabase applies to every form of the server and to nothing else.
public interface IMySqlServerResource : IResourceWithConnectionString;
#pragma warning restore CA1040
