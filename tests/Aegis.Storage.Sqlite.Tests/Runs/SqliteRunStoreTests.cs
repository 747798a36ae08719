using System.Text;
using Microsoft.Extensions.AI;

namespace Aegis.Storage.Sqlite.Tests.Runs;

public sealed class SqliteRunStoreTests : IDisposable
{
    private const string Email = "jane.doe.secret@example.com";
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_paused_run_keeps_the_function_declarations_it_was_asked_with()
    {
        var schema = System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement.Clone();
        var run = PausedRun("run-tools");
        run.Checkpoint!.Options!.Tools =
        [
            new DeclaredFunction("get_weather", "Weather of a city", schema, new Dictionary<string, object?> { [OpenAIConventions.StrictJsonSchema] = true }),
            AIFunctionFactory.Create((string city) => city, "echo_city", "Code the process holds"),
        ];
        using (var database = _temp.Open())
        {
            await new SqliteRunStore(database).CreateAsync(run);
        }

        using var reopened = _temp.Open();
        var tools = (await new SqliteRunStore(reopened).GetAsync("run-tools"))!.Checkpoint!.Options!.Tools!;

        Assert.Equal(["get_weather", "echo_city"], tools.Select(t => t.Name));
        var weather = Assert.IsType<DeclaredFunction>(tools[0]);
        Assert.Equal("Weather of a city", weather.Description);
        Assert.Equal(schema.GetRawText(), weather.JsonSchema.GetRawText());
        Assert.Equal(true, weather.AdditionalProperties[OpenAIConventions.StrictJsonSchema]);
        var echo = Assert.IsType<DeclaredFunction>(tools[1]); // its declaration; the code stays with the process
        Assert.Equal("Code the process holds", echo.Description);
        Assert.Empty(echo.AdditionalProperties);
        Assert.Equal(0.25f, (await new SqliteRunStore(reopened).GetAsync("run-tools"))!.Checkpoint!.Options!.Temperature);
    }

    [Fact]
    public async Task A_paused_run_keeps_the_provider_settings_of_its_options_as_the_provider_reads_them()
    {
        var run = PausedRun("run-settings");
        run.Checkpoint!.Options!.AdditionalProperties = new AdditionalPropertiesDictionary
        {
            [OpenAIConventions.StrictJsonSchema] = true,
            [OpenAIConventions.User] = "end-user-7",
            ["seed_note"] = 42,
        };
        using (var database = _temp.Open())
        {
            await new SqliteRunStore(database).CreateAsync(run);
        }

        using var reopened = _temp.Open();
        var properties = (await new SqliteRunStore(reopened).GetAsync("run-settings"))!.Checkpoint!.Options!.AdditionalProperties!;

        // A resumed run sends json_schema.strict and user again: they come back as a bool and a string, not as JSON.
        Assert.Equal(true, OpenAIConventions.GetStrict(properties));
        Assert.True(properties.TryGetValue(OpenAIConventions.User, out string? user));
        Assert.Equal("end-user-7", user);
        Assert.Equal(42, Assert.IsType<System.Text.Json.JsonElement>(properties["seed_note"]).GetInt32()); // other values stay JSON
    }

    [Fact]
    public async Task Paused_run_with_checkpoint_and_mask_map_survives_a_restart()
    {
        var run = PausedRun("run-restart");
        using (var database = _temp.Open())
        {
            await new SqliteRunStore(database).CreateAsync(run);
        }

        using (var reopened = _temp.Open())
        {
            var read = await new SqliteRunStore(reopened).GetAsync("run-restart");
            Assert.NotNull(read);
            Assert.Equal(RunStatus.Paused, read.Status);
            Assert.Equal("team-a", read.Team);
            Assert.Equal(["alice"], read.Approvers);
            Assert.Equal(new RunUsage(12, 3), read.Usage);
            Assert.Equal(run.CreatedAt, read.CreatedAt);
            var checkpoint = Assert.IsType<RunCheckpoint>(read.Checkpoint);
            Assert.Equal(GuardStage.Egress, checkpoint.Stage);
            Assert.Equal(2, checkpoint.NextGuardIndex);
            Assert.Equal("write to <EMAIL_ADDRESS_1>", Assert.Single(checkpoint.Messages).Text);
            Assert.Equal(ChatRole.User, checkpoint.Messages[0].Role);
            Assert.Equal("pii", checkpoint.Labels["classification"]);
            Assert.Equal("openai", checkpoint.Provider);
            Assert.Equal(0.25f, checkpoint.Options?.Temperature);
            var entry = Assert.Single(checkpoint.MaskMap);
            Assert.Equal(new MaskMapEntry("<EMAIL_ADDRESS_1>", "EMAIL_ADDRESS", Email), entry);
        }
    }

    [Fact]
    public async Task Mask_map_is_not_written_in_plain_text()
    {
        using (var database = _temp.Open())
        {
            await new SqliteRunStore(database).CreateAsync(PausedRun("run-secret"));
        }

        var bytes = _temp.RawBytes();
        Assert.NotEmpty(bytes);
        Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Email)));
        Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(Email)));
        // The unencrypted part is there: the check above is not vacuous.
        Assert.NotEqual(-1, bytes.AsSpan().IndexOf("write to <EMAIL_ADDRESS_1>"u8));
    }

    [Fact]
    public async Task Another_key_cannot_read_the_mask_map()
    {
        var keyA = Convert.ToBase64String(new byte[32]);
        var keyB = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray());
        using (var database = _temp.Open(new SqliteStoreOptions { EncryptionKey = keyA }))
        {
            await new SqliteRunStore(database).CreateAsync(PausedRun("run-key"));
        }

        var ex = Assert.Throws<AegisException>(() => _temp.Open(new SqliteStoreOptions { EncryptionKey = keyB }));
        Assert.Equal(AegisErrors.StoreKeyInvalid.Code, ex.Code);
        Assert.DoesNotContain(keyB, ex.Message, StringComparison.Ordinal);

        using var again = _temp.Open(new SqliteStoreOptions { EncryptionKey = keyA });
        var read = await new SqliteRunStore(again).GetAsync("run-key");
        Assert.Equal(Email, Assert.Single(read!.Checkpoint!.MaskMap).Original);
    }

    [Fact]
    public async Task Missing_key_file_for_existing_encrypted_data_is_refused_at_open()
    {
        using (var database = _temp.Open())
        {
            await new SqliteRunStore(database).CreateAsync(PausedRun("run-lost-key"));
        }

        File.Delete(_temp.Path + ".key");
        var ex = Assert.Throws<AegisException>(() => _temp.Open());
        Assert.Equal(AegisErrors.StoreKeyInvalid.Code, ex.Code);
        Assert.Contains(_temp.Path + ".key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_file_is_created_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var database = _temp.Open();
        var mode = File.GetUnixFileMode(_temp.Path + ".key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public async Task Two_instances_racing_fifty_resumes_have_exactly_one_winner()
    {
        using var first = _temp.Open();
        using var second = _temp.Open();
        var a = new SqliteRunStore(first);
        var b = new SqliteRunStore(second);
        var run = PausedRun("run-race");
        await a.CreateAsync(run);
        var resumed = run with { Status = RunStatus.Running, Checkpoint = null };

        var attempts = Enumerable.Range(0, 50)
            .Select(i => Task.Run(async () => await (i % 2 == 0 ? a : b).TryUpdateAsync(resumed, RunStatus.Paused)))
            .ToArray();
        var results = await Task.WhenAll(attempts);

        Assert.Equal(1, results.Count(r => r));
        Assert.Equal(RunStatus.Running, (await b.GetAsync("run-race"))!.Status);
    }

    [Fact]
    public async Task Try_update_refuses_a_missing_run_and_a_different_status()
    {
        using var database = _temp.Open();
        var store = new SqliteRunStore(database);
        var run = PausedRun("run-cas");
        Assert.False(await store.TryUpdateAsync(run, RunStatus.Paused));
        await store.CreateAsync(run);
        Assert.False(await store.TryUpdateAsync(run with { Status = RunStatus.Completed }, RunStatus.Running));
        Assert.True(await store.TryUpdateAsync(run with { Status = RunStatus.Completed, Response = "done", Checkpoint = null }, RunStatus.Paused));
        var read = await store.GetAsync("run-cas");
        Assert.Equal(RunStatus.Completed, read!.Status);
        Assert.Equal("done", read.Response);
        Assert.Null(read.Checkpoint);
    }

    [Fact]
    public async Task Creating_an_existing_id_is_a_coded_error()
    {
        using var database = _temp.Open();
        var store = new SqliteRunStore(database);
        await store.CreateAsync(PausedRun("run-dup"));
        var ex = await Assert.ThrowsAsync<AegisException>(async () => await store.CreateAsync(PausedRun("run-dup")));
        Assert.Equal(AegisErrors.StoreFailed.Code, ex.Code);
        Assert.Contains("run-dup", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_filters_and_pages_newest_first()
    {
        using var database = _temp.Open();
        var store = new SqliteRunStore(database);
        var t0 = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 25; i++)
        {
            await store.CreateAsync(new RunRecord
            {
                Id = $"run-{i:D2}",
                Route = i % 2 == 0 ? "even" : "odd",
                PrincipalId = i % 3 == 0 ? "alice" : "bob",
                Status = i % 5 == 0 ? RunStatus.Paused : RunStatus.Completed,
                CreatedAt = t0.AddMinutes(i / 2), // pairs share a timestamp: ties broken by insertion order
                UpdatedAt = t0.AddMinutes(i / 2),
            });
        }

        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var page = await store.ListAsync(new RunQuery { Limit = 4, Cursor = cursor });
            Assert.True(page.Runs.Count <= 4);
            ids.AddRange(page.Runs.Select(r => r.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(Enumerable.Range(0, 25).Reverse().Select(i => $"run-{i:D2}"), ids);

        var filtered = await store.ListAsync(new RunQuery { Route = "even", PrincipalId = "alice", Since = t0.AddMinutes(3) });
        Assert.Equal(["run-24", "run-18", "run-12", "run-06"], filtered.Runs.Select(r => r.Id));
        Assert.Null(filtered.NextCursor);

        var paused = await store.ListAsync(new RunQuery { Status = RunStatus.Paused });
        Assert.Equal(["run-20", "run-15", "run-10", "run-05", "run-00"], paused.Runs.Select(r => r.Id));
    }

    [Fact]
    public async Task A_row_stores_no_defaults_and_no_timestamps_in_its_payload_and_reads_back_whole()
    {
        var at = new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero).AddTicks(1234567);
        var bare = new RunRecord { Id = "run-bare", Route = "r", PrincipalId = "p", Status = RunStatus.Completed, CreatedAt = at, UpdatedAt = at.AddTicks(42) };
        var full = bare with
        {
            Id = "run-full",
            Status = RunStatus.Error,
            Team = "team-b",
            Approvers = ["carol"],
            Messages = [new ChatMessage(ChatRole.User, "hello")],
            Response = "hi",
            Reason = "upstream failed",
            ErrorCode = "AEG-PRV-001",
            Usage = new RunUsage(5, 7),
            Background = true,
        };
        using (var database = _temp.Open())
        {
            var store = new SqliteRunStore(database);
            await store.CreateAsync(bare);
            await store.CreateAsync(full);
        }

        // Null, empty and false fields and the timestamps (in their own columns) are not repeated in the JSON.
        Assert.Equal("""{"messages":[],"prompt_tokens":0,"completion_tokens":0}""", _temp.Scalar("SELECT payload FROM runs WHERE id = 'run-bare';"));

        using var reopened = _temp.Open();
        var store2 = new SqliteRunStore(reopened);
        var readBare = (await store2.GetAsync("run-bare"))!;
        Assert.Equal((bare.Team, bare.Approvers.Count, bare.Response, bare.Reason, bare.ErrorCode, bare.Background), (readBare.Team, readBare.Approvers.Count, readBare.Response, readBare.Reason, readBare.ErrorCode, readBare.Background));
        Assert.Equal(at.UtcTicks, readBare.CreatedAt.UtcTicks);
        Assert.Equal(at.AddTicks(42).UtcTicks, readBare.UpdatedAt.UtcTicks);

        var readFull = (await store2.GetAsync("run-full"))!;
        Assert.Equal((full.Status, full.Team, full.Response, full.Reason, full.ErrorCode, full.Usage, full.Background), (readFull.Status, readFull.Team, readFull.Response, readFull.Reason, readFull.ErrorCode, readFull.Usage, readFull.Background));
        Assert.Equal(["carol"], readFull.Approvers);
        Assert.Equal("hello", Assert.Single(readFull.Messages).Text);
    }

    [Fact]
    public async Task A_row_written_with_timestamps_and_defaults_in_its_payload_still_reads()
    {
        using (var database = _temp.Open())
        {
            await new SqliteRunStore(database).CreateAsync(new RunRecord { Id = "seed", Route = "r", PrincipalId = "p", Status = RunStatus.Completed, CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch });
        }

        // The payload as earlier versions wrote it: every field, the timestamps as ISO strings (ignored: the columns hold them).
        var created = new DateTimeOffset(2025, 2, 3, 4, 5, 6, TimeSpan.Zero);
        _temp.Execute($$"""
            INSERT INTO runs (id, route, principal_id, status, created_at, updated_at, payload, mask_map)
            VALUES ('run-old', 'support', 'bob', 'completed', {{created.UtcTicks}}, {{created.AddSeconds(2).UtcTicks}},
                    '{"team":null,"approvers":[],"messages":[{"role":"user","contents":[{"$type":"text","text":"hi"}]}],"response":"hello","reason":null,"error_code":null,"prompt_tokens":3,"completion_tokens":4,"created_at":"1999-01-01T00:00:00+00:00","updated_at":"1999-01-01T00:00:00+00:00","background":false}',
                    NULL);
            """);

        using var reopened = _temp.Open();
        var run = (await new SqliteRunStore(reopened).GetAsync("run-old"))!;
        Assert.Equal(created, run.CreatedAt);
        Assert.Equal(created.AddSeconds(2), run.UpdatedAt);
        Assert.Null(run.Team);
        Assert.Empty(run.Approvers);
        Assert.Equal("hi", Assert.Single(run.Messages).Text);
        Assert.Equal("hello", run.Response);
        Assert.Equal(new RunUsage(3, 4), run.Usage);
        Assert.False(run.Background);
    }

    internal static RunRecord PausedRun(string id)
    {
        var created = new DateTimeOffset(2025, 3, 14, 9, 26, 53, TimeSpan.FromHours(1));
        return new RunRecord
        {
            Id = id,
            Route = "support",
            PrincipalId = "bob",
            Team = "team-a",
            Status = RunStatus.Paused,
            Approvers = ["alice"],
            Messages = [new ChatMessage(ChatRole.User, "write to <EMAIL_ADDRESS_1>")],
            Reason = "needs approval",
            Usage = new RunUsage(12, 3),
            CreatedAt = created,
            UpdatedAt = created,
            Checkpoint = new RunCheckpoint
            {
                Stage = GuardStage.Egress,
                NextGuardIndex = 2,
                Content = [new ChatMessage(ChatRole.Assistant, "Sure, <EMAIL_ADDRESS_1>.")],
                Messages = [new ChatMessage(ChatRole.User, "write to <EMAIL_ADDRESS_1>")],
                Labels = new Dictionary<string, string> { ["classification"] = "pii" },
                MaskMap = [new MaskMapEntry("<EMAIL_ADDRESS_1>", "EMAIL_ADDRESS", Email)],
                Provider = "openai",
                FinishReason = "stop",
                Options = new ChatOptions { Temperature = 0.25f, ModelId = "gpt-4o-mini" },
                PrincipalLabels = new Dictionary<string, string> { ["team"] = "team-a" },
            },
        };
    }
}
