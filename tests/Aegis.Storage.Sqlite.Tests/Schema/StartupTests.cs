namespace Aegis.Storage.Sqlite.Tests.Schema;

public sealed class StartupTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Missing_directory_is_refused_with_the_path()
    {
        var path = Path.Combine(_temp.Directory, "no-such-dir", "aegis.db");
        var ex = Assert.Throws<AegisException>(() => SqliteDatabase.Open(path));
        Assert.Equal(AegisErrors.StoreDirectoryMissing.Code, ex.Code);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }

    [Fact]
    public void A_text_file_is_not_a_database()
    {
        File.WriteAllText(_temp.Path, "name,email\njane,jane@example.com\n");
        var ex = Assert.Throws<AegisException>(() => _temp.Open());
        Assert.Equal(AegisErrors.StoreNotADatabase.Code, ex.Code);
        Assert.Contains(_temp.Path, ex.Message, StringComparison.Ordinal);
        Assert.Equal("name,email\njane,jane@example.com\n", File.ReadAllText(_temp.Path));
    }

    [Fact]
    public void A_read_only_file_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        _temp.Open().Dispose();
        File.SetUnixFileMode(_temp.Path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var ex = Assert.Throws<AegisException>(() => _temp.Open());
        Assert.Equal(AegisErrors.StoreReadOnly.Code, ex.Code);
        Assert.Contains(_temp.Path, ex.Message, StringComparison.Ordinal);
        File.SetUnixFileMode(_temp.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void A_newer_schema_is_refused_and_left_untouched()
    {
        _temp.Open().Dispose();
        _temp.Execute($"PRAGMA user_version = {SqliteDatabase.SchemaVersion + 1};");
        var ex = Assert.Throws<AegisException>(() => _temp.Open());
        Assert.Equal(AegisErrors.StoreSchemaTooNew.Code, ex.Code);
        Assert.Contains(_temp.Path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Upgrade Aegis", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_configured_key_is_refused_without_echoing_it()
    {
        var ex = Assert.Throws<AegisException>(() => _temp.Open(new SqliteStoreOptions { EncryptionKey = "c2hvcnQta2V5" }));
        Assert.Equal(AegisErrors.StoreKeyInvalid.Code, ex.Code);
        Assert.DoesNotContain("c2hvcnQta2V5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_file_gets_the_current_schema_in_wal_mode()
    {
        using var database = _temp.Open();
        Assert.Equal(0, database.MigratedFromVersion);
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_temp.Path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar());
    }
}
