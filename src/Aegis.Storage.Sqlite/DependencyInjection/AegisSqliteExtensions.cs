using Aegis.Storage.Sqlite.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
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
        return AddStores(services, _ => SqliteDatabase.Open(path, options));
    }

    /// <summary>
    /// Stores everything in the SQLite file named by the Aegis configuration: <c>persistence.path</c>
    /// (default <c>aegis.db</c>) and <c>persistence.encryption_key</c> (default: a key file beside the
    /// database). This is what <c>persistence: {type: sqlite, path: aegis.db}</c> needs.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddAegis</c>.</param>
    /// <param name="configure">Adjusts the options (busy timeout, batch size, ...).</param>
    public static AegisBuilder UseSqlite(this AegisBuilder builder, Action<SqliteStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddStores(builder.Services, sp =>
        {
            var persistence = sp.GetRequiredService<IOptions<AegisOptions>>().Value.Persistence;
            var options = new SqliteStoreOptions { EncryptionKey = persistence.EncryptionKey };
            configure?.Invoke(options);
            return SqliteDatabase.Open(string.IsNullOrWhiteSpace(persistence.Path) ? DefaultPath : persistence.Path, options);
        });
        return builder;
    }

    /// <summary>The database file used when configuration names none.</summary>
    public const string DefaultPath = "aegis.db";

    private static IServiceCollection AddStores(IServiceCollection services, Func<IServiceProvider, SqliteDatabase> open)
    {
        services.RemoveAll<SqliteDatabase>();
        services.AddSingleton(open);

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
