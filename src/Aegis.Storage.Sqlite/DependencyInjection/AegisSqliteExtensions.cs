using Aegis.Storage.Sqlite.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.VectorData;

namespace Aegis;

/// <summary>Registers the SQLite stores.</summary>
public static class AegisSqliteExtensions
{
    /// <summary>
    /// Registers <see cref="SqliteDatabase"/> on <paramref name="path"/> and the SQLite implementations
    /// of <see cref="IRunStore"/>, <see cref="IAuditLedger"/>, <see cref="IApiKeyStore"/>,
    /// <see cref="IBudgetLedger"/> and <see cref="VectorStore"/> as singletons, replacing any earlier
    /// registrations of those contracts (the in-memory defaults of <c>AddAegis</c>) whichever is called
    /// first. The database is opened and validated by a hosted service that starts before every other
    /// one, so a bad path, a read-only or foreign file, a newer schema or a wrong key fails host
    /// start-up with an <see cref="AegisException"/>, not the first request. Without a host, the
    /// database opens at the first resolution of any of these services.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="path">The database file, e.g. <c>aegis.db</c>; its directory must exist.</param>
    /// <param name="configure">Adjusts the options (encryption key, busy timeout, ...).</param>
    public static IServiceCollection AddAegisSqlite(this IServiceCollection services, string path, Action<SqliteStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var options = new SqliteStoreOptions();
        configure?.Invoke(options);

        services.RemoveAll<SqliteDatabase>();
        services.AddSingleton(_ => SqliteDatabase.Open(path, options));

        services.RemoveAll<SqliteRunStore>();
        services.RemoveAll<IRunStore>();
        services.AddSingleton(sp => new SqliteRunStore(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<IRunStore>(sp => sp.GetRequiredService<SqliteRunStore>());

        services.RemoveAll<SqliteAuditLedger>();
        services.RemoveAll<IAuditLedger>();
        services.AddSingleton(sp => new SqliteAuditLedger(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<IAuditLedger>(sp => sp.GetRequiredService<SqliteAuditLedger>());

        services.RemoveAll<SqliteApiKeyStore>();
        services.RemoveAll<IApiKeyStore>();
        services.AddSingleton(sp => new SqliteApiKeyStore(sp.GetRequiredService<SqliteDatabase>(), sp.GetService<TimeProvider>()));
        services.AddSingleton<IApiKeyStore>(sp => sp.GetRequiredService<SqliteApiKeyStore>());

        services.RemoveAll<SqliteBudgetLedger>();
        services.RemoveAll<IBudgetLedger>();
        services.AddSingleton(sp => new SqliteBudgetLedger(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<IBudgetLedger>(sp => sp.GetRequiredService<SqliteBudgetLedger>());

        services.RemoveAll<SqliteVectorStore>();
        services.RemoveAll<VectorStore>();
        services.AddSingleton(sp => new SqliteVectorStore(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<VectorStore>(sp => sp.GetRequiredService<SqliteVectorStore>());

        if (!services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(SqliteStoreStartup)))
        {
            // First, so that the database is validated before any other hosted service uses a store.
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService, SqliteStoreStartup>());
        }

        return services;
    }

    /// <summary>
    /// Stores everything (runs, checkpoints, audit, keys, budgets, vectors) in the SQLite file
    /// <paramref name="path"/>: <see cref="AddAegisSqlite"/> on the builder's services.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddAegis</c>.</param>
    /// <param name="path">The database file, e.g. <c>aegis.db</c>; its directory must exist.</param>
    /// <param name="configure">Adjusts the options (encryption key, busy timeout, ...).</param>
    public static AegisBuilder UseSqlite(this AegisBuilder builder, string path, Action<SqliteStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAegisSqlite(path, configure);
        return builder;
    }
}
