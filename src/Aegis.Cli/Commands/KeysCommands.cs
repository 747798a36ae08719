using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Aegis.Cli.Hosting;
using Aegis.Cli.Output;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis keys create | list | revoke</c>: API keys in the gateway's SQLite database.</summary>
internal static class KeysCommands
{
    private const string DefaultName = "default";

    /// <summary>The <c>keys</c> command and its subcommands.</summary>
    public static Command Create(CliConsole console) => new("keys", "Manage API keys (stored as SHA-256 hashes in the database)")
    {
        CreateKey(console), ListKeys(console), RevokeKey(console),
    };

    private static Command CreateKey(CliConsole console)
    {
        var name = new Option<string?>("--name", "-n") { Description = $"A name for the key [default: the principal, else {DefaultName}]" };
        var principal = new Option<string?>("--principal") { Description = "The principal id the key authenticates as [default: the name]" };
        var team = new Option<string?>("--team") { Description = "The principal's team (routes can be restricted to teams)" };
        var config = CommonOptions.Config();
        var database = CommonOptions.Database();
        var json = CommonOptions.Json();
        var command = new Command("create", "Create a key and print it once (aeg- followed by 64 hex digits)") { name, principal, team, config, database, json };
        command.SetAction((ParseResult result, CancellationToken cancellationToken) => CommandRunner.RunAsync(console, async () =>
        {
            var principalId = Blank(result.GetValue(principal)) ?? Blank(result.GetValue(name)) ?? DefaultName;
            var keyName = Blank(result.GetValue(name)) ?? principalId;
            using var db = CliDatabase.Open(result.GetValue(config), result.GetValue(database), mustExist: false);
            var store = new SqliteApiKeyStore(db);
            var created = await store.CreateAsync(new ApiKeyRequest { Name = keyName, PrincipalId = principalId, Team = Blank(result.GetValue(team)) }, cancellationToken).ConfigureAwait(false);
            var record = created.Record;
            if (result.GetValue(json))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(new CreatedKeyJson(record.Id, record.Name, record.PrincipalId, record.Team, record.CreatedAt, created.Key), CliJsonContext.Default.CreatedKeyJson));
                return ExitCodes.Ok;
            }

            console.Out.WriteLine($"Created key {record.Id} (name {record.Name}, principal {record.PrincipalId}{(record.Team is null ? string.Empty : ", team " + record.Team)}) in {db.Path}");
            console.Out.WriteLine();
            console.Out.WriteLine($"    {created.Key}");
            console.Out.WriteLine();
            console.Out.WriteLine("Copy it now: it is shown only this once (the database keeps only its hash).");
            console.Out.WriteLine("Use it as: Authorization: Bearer <key>");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command ListKeys(CliConsole console)
    {
        var config = CommonOptions.Config();
        var database = CommonOptions.Database();
        var json = CommonOptions.Json();
        var command = new Command("list", "List keys: id, name, principal, team, created, last used, revoked (never the key)") { config, database, json };
        command.SetAction((ParseResult result, CancellationToken cancellationToken) => CommandRunner.RunAsync(console, async () =>
        {
            using var db = CliDatabase.Open(result.GetValue(config), result.GetValue(database), mustExist: true);
            var keys = await new SqliteApiKeyStore(db).ListAsync(cancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                var list = new List<KeyJson>(keys.Count);
                foreach (var key in keys)
                {
                    list.Add(KeyJson.From(key));
                }

                console.Out.WriteLine(JsonSerializer.Serialize(list, CliJsonContext.Default.ListKeyJson));
                return ExitCodes.Ok;
            }

            if (keys.Count == 0)
            {
                console.Out.WriteLine($"No keys in {db.Path}. Create one with: aegis keys create --name NAME --principal ID");
                return ExitCodes.Ok;
            }

            var rows = new List<string[]>(keys.Count);
            foreach (var key in keys)
            {
                rows.Add([key.Id, key.Name, key.PrincipalId, key.Team ?? "-", Time(key.CreatedAt), Time(key.LastUsedAt), Time(key.RevokedAt)]);
            }

            ConsoleTable.Write(console.Out, ["ID", "NAME", "PRINCIPAL", "TEAM", "CREATED", "LAST USED", "REVOKED"], rows);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command RevokeKey(CliConsole console)
    {
        var id = new Argument<string>("id") { Description = "The key id (from aegis keys list)" };
        var config = CommonOptions.Config();
        var database = CommonOptions.Database();
        var json = CommonOptions.Json();
        var command = new Command("revoke", "Revoke a key; requests with it get 401 at once") { id, config, database, json };
        command.SetAction((ParseResult result, CancellationToken cancellationToken) => CommandRunner.RunAsync(console, async () =>
        {
            var keyId = result.GetValue(id)!.Trim();
            using var db = CliDatabase.Open(result.GetValue(config), result.GetValue(database), mustExist: true);
            var store = new SqliteApiKeyStore(db);
            var existing = await FindAsync(store, keyId, cancellationToken).ConfigureAwait(false)
                ?? throw new AegisException(CliErrors.KeyNotFound, $"{keyId}: no key with this id in {db.Path}");
            var already = existing.IsRevoked;
            if (!already && !await store.RevokeAsync(keyId, cancellationToken).ConfigureAwait(false))
            {
                throw new AegisException(CliErrors.KeyNotFound, $"{keyId}: no key with this id in {db.Path}");
            }

            var revoked = await FindAsync(store, keyId, cancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(new RevokedKeyJson(keyId, revoked?.RevokedAt, already), CliJsonContext.Default.RevokedKeyJson));
            }
            else
            {
                console.Out.WriteLine(already
                    ? $"Key {keyId} was already revoked at {Time(existing.RevokedAt)}."
                    : $"Revoked key {keyId} (principal {existing.PrincipalId}); requests with it now get 401 AEG-AUTH-001.");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task<ApiKeyRecord?> FindAsync(SqliteApiKeyStore store, string id, CancellationToken cancellationToken)
    {
        foreach (var key in await store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(key.Id, id, StringComparison.Ordinal))
            {
                return key;
            }
        }

        return null;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Time(DateTimeOffset? value) => value is { } time
        ? time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
        : "-";
}
