using Aspire.Hosting;
using Microsoft.Extensions.Configuration;

namespace Dedao.Hosting.Tests;

/// <summary>design.md's order: external, then what AppHost:Runtime forces, then a container engine that answers, then the binary.</summary>
public sealed class RuntimeChoiceTests
{
    private static ServerRuntime Choose(bool executableFound, bool engineAnswers, params (string Key, string Value)[] settings) =>
        ServerRuntimeChoice.Choose(Configuration(settings), "redis", "Redis", "apt-get install redis-server", executableFound, () => engineAnswers);

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

    [Fact]
    public void A_connection_string_means_an_external_server_whatever_else_is_there() =>
        Assert.Equal(ServerRuntime.External,
            Choose(executableFound: true, engineAnswers: true, ("ConnectionStrings:redis", "127.0.0.1:6379"), ("AppHost:Runtime", "executable")));

    [Fact]
    public void A_container_engine_that_answers_wins_over_the_binary() =>
        Assert.Equal(ServerRuntime.Container, Choose(executableFound: true, engineAnswers: true));

    [Fact]
    public void Without_an_engine_the_installed_binary_runs() =>
        Assert.Equal(ServerRuntime.Executable, Choose(executableFound: true, engineAnswers: false));

    [Fact]
    public void AppHost_Runtime_forces_either_form()
    {
        Assert.Equal(ServerRuntime.Executable, Choose(executableFound: true, engineAnswers: true, ("AppHost:Runtime", "executable")));
        Assert.Equal(ServerRuntime.Container, Choose(executableFound: true, engineAnswers: false, ("AppHost:Runtime", "Container")));
    }

    [Fact]
    public void A_machine_with_nothing_gets_one_line_saying_what_to_install()
    {
        var error = Assert.Throws<DistributedApplicationException>(() => Choose(executableFound: false, engineAnswers: false));

        Assert.Equal("redis: no way to run Redis here. Install it (apt-get install redis-server), start docker or podman, "
            + "or point ConnectionStrings:redis at a running server.", error.Message);
    }

    [Fact]
    public void Forcing_a_binary_that_is_not_installed_says_so()
    {
        var error = Assert.Throws<DistributedApplicationException>(() =>
            Choose(executableFound: false, engineAnswers: true, ("AppHost:Runtime", "executable")));

        Assert.Contains("not installed", error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install redis-server", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_runtime_is_refused_rather_than_guessed()
    {
        var error = Assert.Throws<DistributedApplicationException>(() =>
            Choose(executableFound: true, engineAnswers: true, ("AppHost:Runtime", "kubernetes")));

        Assert.Contains("'container', 'executable'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_engine_is_not_asked_when_the_answer_does_not_depend_on_it()
    {
        var asked = false;
        ServerRuntimeChoice.Choose(Configuration(("AppHost:Runtime", "executable")), "redis", "Redis", "hint", executableFound: true,
            () => asked = true);

        Assert.False(asked);
    }
}
