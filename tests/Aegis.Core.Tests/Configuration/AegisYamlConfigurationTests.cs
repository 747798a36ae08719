using Microsoft.Extensions.Configuration;
using static Aegis.Core.Tests.Configuration.ConfigurationSamples;

namespace Aegis.Core.Tests.Configuration;

public sealed class AegisYamlConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aegis-yaml-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Flattens_mappings_sequences_and_scalars_under_the_Aegis_section()
    {
        var config = FromYaml("""
            providers:
              openai:
                base_url: https://api.example.test/v1
                timeout_seconds: 12
            pipeline:
              ingress: [pii, injection]
            """);

        Assert.Equal("https://api.example.test/v1", config["Aegis:providers:openai:base_url"]);
        Assert.Equal("12", config["Aegis:providers:openai:timeout_seconds"]);
        Assert.Equal("pii", config["Aegis:pipeline:ingress:0"]);
        Assert.Equal("injection", config["Aegis:pipeline:ingress:1"]);
        Assert.Null(config["providers:openai:base_url"]);
    }

    [Fact]
    public void Null_tilde_and_empty_plain_scalars_are_null_but_quoted_ones_are_text()
    {
        var config = FromYaml("""
            a: ~
            b: null
            c:
            d: '~'
            e: ''
            f: []
            g: {}
            """);

        var data = config.GetSection("Aegis").AsEnumerable(makePathsRelative: true).ToDictionary(p => p.Key, p => p.Value);
        Assert.Null(data["a"]);
        Assert.Null(data["b"]);
        Assert.Null(data["c"]);
        Assert.Equal("~", data["d"]);
        Assert.Equal(string.Empty, data["e"]);
        Assert.Null(data["f"]);
        Assert.Null(data["g"]);
    }

    [Theory]
    [InlineData("Aegis")]
    [InlineData("aegis")]
    public void A_document_wrapped_in_an_Aegis_key_is_not_prefixed_twice(string wrapper)
    {
        var config = FromYaml($"""
            {wrapper}:
              auth:
                mode: none
            """);

        Assert.Equal("none", config["Aegis:auth:mode"]);
        Assert.Null(config["Aegis:Aegis:auth:mode"]);
        Assert.Equal("none", AegisOptionsBinder.Bind(config).Auth.Mode);
    }

    [Fact]
    public void An_Aegis_key_beside_other_keys_is_prefixed_and_then_unknown()
    {
        var config = FromYaml("""
            aegis:
              auth:
                mode: none
            rag:
              enabled: true
            """);

        Assert.Equal("none", config["Aegis:aegis:auth:mode"]);
        Assert.Equal("aegis", Throws(AegisErrors.ConfigUnknownField, () => AegisOptionsBinder.Bind(config)).Split('.')[0]);
    }

    [Fact]
    public void Empty_document_is_an_empty_configuration()
    {
        Assert.Empty(FromYaml(string.Empty).AsEnumerable());
        Assert.Empty(FromYaml("# only a comment\n").AsEnumerable());
        Assert.Empty(FromYaml("---\n").AsEnumerable());
    }

    [Fact]
    public void Invalid_yaml_names_the_file_line_and_column()
    {
        var path = Path.Combine(_directory, "aegis.yaml");
        File.WriteAllText(path, "providers:\n  fake:\n    type: fake\n   echo: [true\n");

        var detail = Throws(AegisErrors.ConfigInvalidFile, () => new ConfigurationBuilder().AddAegisYamlFile(path).Build());

        Assert.StartsWith(path + ":4:", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_inline_yaml_names_the_source_and_line()
    {
        var detail = Throws(AegisErrors.ConfigInvalidFile, () => new ConfigurationBuilder().AddAegisYaml("a: 1\nb: [x\nc: 2\n", "test.yaml").Build());

        Assert.StartsWith("test.yaml:2:", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_names_the_path()
    {
        var path = Path.Combine(_directory, "missing.yaml");

        var detail = Throws(AegisErrors.ConfigInvalidFile, () => new ConfigurationBuilder().AddAegisYamlFile(path).Build());

        Assert.Contains(path, detail, StringComparison.Ordinal);
        Assert.Contains("not found", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_optional_file_is_an_empty_configuration()
    {
        var config = new ConfigurationBuilder().AddAegisYamlFile(Path.Combine(_directory, "missing.yaml"), optional: true).Build();

        Assert.Empty(config.AsEnumerable());
    }

    [Theory]
    [InlineData("- a\n- b\n", 1)]
    [InlineData("just text\n", 1)]
    [InlineData("a: 1\n---\nb: 2\n", 3)]
    [InlineData("Aegis: [1, 2]\n", 1)]
    public void Top_level_that_is_not_one_mapping_is_an_invalid_file(string yaml, int line)
    {
        var detail = Throws(AegisErrors.ConfigInvalidFile, () => FromYaml(yaml));

        Assert.StartsWith($"inline:{line}:", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_differing_only_in_case_are_duplicates()
    {
        var detail = Throws(AegisErrors.ConfigInvalidFile, () => FromYaml("auth:\n  mode: keys\nAuth:\n  mode: none\n"));

        Assert.StartsWith("inline:3:1: duplicate key 'Auth'", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Exact_duplicate_keys_are_reported_with_their_line()
    {
        var detail = Throws(AegisErrors.ConfigInvalidFile, () => FromYaml("rag:\n  chunk_size: 1\n  chunk_size: 2\n"));

        Assert.StartsWith("inline:3:", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_containing_the_configuration_separator_is_rejected()
    {
        var detail = Throws(AegisErrors.ConfigInvalidFile, () => FromYaml("routes:\n  'llama3.1:70b':\n    provider: local\n"));

        Assert.StartsWith("inline:2:3: key 'llama3.1:70b' contains ':'", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Anchors_and_aliases_expand()
    {
        var config = FromYaml("""
            pipeline:
              ingress: &guards [pii, injection]
              tool_result: *guards
            """);

        Assert.Equal("injection", config["Aegis:pipeline:tool_result:1"]);
    }

    [Fact]
    public void A_real_file_binds_like_inline_text()
    {
        var path = Path.Combine(_directory, "aegis.yaml");
        File.WriteAllText(path, FullYaml);

        var fromFile = AegisOptionsBinder.Bind(new ConfigurationBuilder().AddAegisYamlFile(path).Build(), SampleEnvironment);

        Assert.Equal(2, fromFile.Providers.Count);
        Assert.Equal("aegis-test", fromFile.Telemetry.ServiceName);
    }

    [Fact]
    public void Stream_variant_reads_the_document()
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes("auth:\n  mode: host\n"));

        var config = new ConfigurationBuilder().AddAegisYaml(stream).Build();

        Assert.Equal("host", config["Aegis:auth:mode"]);
    }

    [Fact]
    public void Later_sources_override_the_yaml_file()
    {
        var config = new ConfigurationBuilder()
            .AddAegisYaml(FullYaml)
            .AddInMemoryCollection([new("AEGIS:ROUTES:RESEARCH:MODEL", "override")])
            .Build();

        Assert.Equal("override", AegisOptionsBinder.Bind(config, SampleEnvironment).Routes["research"].Model);
    }
}
