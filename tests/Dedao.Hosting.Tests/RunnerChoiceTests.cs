using Dedao.Hosting.Orchestration;
using Dedao.Hosting.Runners;
using Microsoft.Extensions.Configuration;

namespace Dedao.Hosting.Tests;

public sealed class RunnerChoiceTests
{
    private static readonly Lazy<ContainerRuntime?> NoContainers = new(() => null);
    private static readonly Lazy<ContainerRuntime?> Docker = new(() => new ContainerRuntime("/usr/bin/docker"));

    private static RedisResource Redis() => new("redis", new ParameterResource("redis-password", secret: true));

    private static IConfiguration Config(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

    [Fact]
    public void A_configured_connection_string_means_an_external_server()
    {
        var redis = Redis();
        var runner = ServerRunner.Choose(redis, Config(("ConnectionStrings:redis", "cache.example:6379")), Docker, "/usr/bin");

        Assert.Equal(RunnerKind.External, runner.Kind);
        Assert.Equal("cache.example:6379", redis.GetConnectionString());
    }

    [Fact]
    public void A_container_engine_comes_before_local_binaries()
    {
        var redis = Redis();
        redis.Password.Resolve("secret");
        redis.Port = 41000;
        var runner = ServerRunner.Choose(redis, Config(), Docker, "/usr/bin");

        Assert.Equal(RunnerKind.Container, runner.Kind);
        using var state = StateFolder.Open("", ephemeral: true);
        var spec = runner.Containers!.RunSpec(redis, runner.Server, state);
        Assert.Equal(["run", "--rm", "--name", $"dedao-{state.Id}-redis", "-p", "127.0.0.1:41000:6379"], spec.Args.Take(6));
        Assert.Equal(["docker.io/library/redis:7.4", "redis-server", "--requirepass", "secret"], spec.Args.Skip(6).Take(4));
    }

    [Fact]
    public void Without_a_container_engine_the_local_binary_runs()
    {
        var runner = ServerRunner.Choose(Redis(), Config(), NoContainers, "/usr/bin");

        Assert.Equal(RunnerKind.Executable, runner.Kind);
        Assert.EndsWith("redis-server", runner.Executable, StringComparison.Ordinal);
    }

    [Fact]
    public void The_runtime_setting_forces_the_executable_even_beside_a_container_engine()
    {
        var runner = ServerRunner.Choose(Redis(), Config(("AppHost:Runtime", "executable")), Docker, "/usr/bin");

        Assert.Equal(RunnerKind.Executable, runner.Kind);
    }

    [Fact]
    public void Forcing_containers_without_an_engine_fails_naming_the_fix()
    {
        var error = Assert.Throws<DistributedApplicationException>(() =>
            ServerRunner.Choose(Redis(), Config(("AppHost:Runtime", "container")), NoContainers, "/usr/bin"));

        Assert.Contains("neither docker nor podman answers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_no_way_to_run_a_server_the_error_says_what_to_install_or_set()
    {
        var error = Assert.Throws<DistributedApplicationException>(() =>
            ServerRunner.Choose(Redis(), Config(), NoContainers, searchPath: Path.GetTempPath()));

        Assert.StartsWith("redis: no way to run Redis here", error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install redis-server", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:redis", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_runtime_setting_is_refused()
    {
        var error = Assert.Throws<DistributedApplicationException>(() =>
            ServerRunner.Choose(Redis(), Config(("AppHost:Runtime", "vm")), Docker, "/usr/bin"));

        Assert.Contains("'vm'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_docker_cli_without_an_engine_is_not_a_container_runtime()
    {
        // This machine kind ships the docker client without an engine; where an engine answers, Detect finds it.
        var engineAnswers = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sh", ["-c", "docker info >/dev/null 2>&1 || podman info >/dev/null 2>&1"]))!;
        engineAnswers.WaitForExit();

        Assert.Equal(engineAnswers.ExitCode == 0, ContainerRuntime.Detect() is not null);
    }
}
