using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aegis.Storage.Sqlite.DependencyInjection;

/// <summary>Opens and validates the database when the host starts (the stores resolve it lazily otherwise).</summary>
internal sealed class SqliteStoreStartup(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<SqliteDatabase>();
        services.GetRequiredService<SqliteAuditLedger>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
