// Get and MultiGet(20) per tier, time and allocations: dotnet run -c Release --project bench/Caching -- --filter '*'
// (needs redis-server installed; it starts one of its own on a free port and stops it at the end).
using BenchmarkDotNet.Running;
using Dedao.Bench.Caching;

// The benchmark's processes inherit the variable naming the Redis started here.
using var redis = RedisServer.Start();
Environment.SetEnvironmentVariable(RedisServer.Variable, redis.ConnectionString);
BenchmarkSwitcher.FromAssembly(typeof(TierBenchmarks).Assembly).Run(args);
