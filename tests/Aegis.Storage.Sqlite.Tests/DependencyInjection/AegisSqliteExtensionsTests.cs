using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.VectorData;

namespace Aegis.Storage.Sqlite.Tests.DependencyInjection;

public sealed class AegisSqliteExtensionsTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Replaces_the_in_memory_stores_registered_before_or_after()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IRunStore, InMemoryRunStore>();
        services.AddSingleton<IAuditLedger, InMemoryAuditLedger>();
        services.AddAegisSqlite(_temp.Path);
        services.TryAddInMemoryDefaults();
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<SqliteRunStore>(provider.GetRequiredService<IRunStore>());
        Assert.Same(provider.GetRequiredService<SqliteAuditLedger>(), provider.GetRequiredService<IAuditLedger>());
        Assert.IsType<SqliteApiKeyStore>(provider.GetRequiredService<IApiKeyStore>());
        Assert.IsType<SqliteBudgetLedger>(provider.GetRequiredService<IBudgetLedger>());
        Assert.IsType<SqliteVectorStore>(provider.GetRequiredService<VectorStore>());
        Assert.Single(provider.GetServices<IRunStore>());
    }

    [Fact]
    public async Task A_bad_database_fails_host_start_up_not_the_first_request()
    {
        var missing = Path.Combine(_temp.Directory, "nope", "aegis.db");
        var services = new ServiceCollection();
        services.AddAegisSqlite(missing);
        await using var provider = services.BuildServiceProvider();

        var startup = provider.GetServices<IHostedService>().First();
        var ex = await Assert.ThrowsAsync<AegisException>(() => startup.StartAsync(CancellationToken.None));
        Assert.Equal(AegisErrors.StoreDirectoryMissing.Code, ex.Code);
        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Use_sqlite_on_the_aegis_builder_puts_the_file_under_the_engine()
    {
        var services = new ServiceCollection();
        services.AddAegis().UseSqlite(_temp.Path);
        var firstHosted = services.First(d => d.ServiceType == typeof(IHostedService));
        Assert.Equal("SqliteStoreStartup", firstHosted.ImplementationType?.Name);
        await using var provider = services.BuildServiceProvider();
        Assert.IsType<SqliteRunStore>(provider.GetRequiredService<IRunStore>());
        Assert.True(File.Exists(_temp.Path));
    }
}

internal static class InMemoryDefaults
{
    /// <summary>What <c>AddAegis</c> does for stores: TryAdd, so it never overrides an earlier registration.</summary>
    public static void TryAddInMemoryDefaults(this IServiceCollection services)
    {
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton<IRunStore, InMemoryRunStore>(services);
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton<IApiKeyStore, InMemoryApiKeyStore>(services);
    }
}
