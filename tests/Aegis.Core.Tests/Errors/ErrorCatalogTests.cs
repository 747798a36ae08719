using System.Text.RegularExpressions;

namespace Aegis.Core.Tests.Errors;

public sealed partial class ErrorCatalogTests
{
    [Fact]
    public void Codes_are_unique_well_formed_and_complete()
    {
        var all = AegisErrors.All;
        Assert.Equal(all.Count, all.Select(e => e.Code).Distinct().Count());
        Assert.All(all, e =>
        {
            Assert.Matches(CodeShape(), e.Code);
            Assert.InRange(e.HttpStatus, 200, 599);
            Assert.False(string.IsNullOrWhiteSpace(e.What));
            Assert.False(string.IsNullOrWhiteSpace(e.Why));
            Assert.False(string.IsNullOrWhiteSpace(e.Fix));
        });
        foreach (var code in new[] { "AEG-CFG-001", "AEG-CFG-002", "AEG-CFG-003", "AEG-CFG-010", "AEG-CFG-011", "AEG-CFG-020", "AEG-CFG-021", "AEG-CFG-022", "AEG-AUTH-001", "AEG-AUTH-003", "AEG-PRV-001", "AEG-PRV-002", "AEG-PRV-003", "AEG-PRV-004", "AEG-PRV-005", "AEG-POL-001", "AEG-POL-002", "AEG-POL-003", "AEG-MCP-001", "AEG-MCP-002", "AEG-MCP-003", "AEG-MCP-004", "AEG-RAG-001", "AEG-RAG-002", "AEG-RAG-003", "AEG-RAG-004", "AEG-SRV-001" })
        {
            Assert.True(AegisErrors.TryGet(code, out _), code);
        }
    }

    [Fact]
    public void The_README_table_lists_every_code_with_its_status()
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot(), "README.md"));
        Assert.All(AegisErrors.All, e => Assert.Contains($"| `{e.Code}` | {e.HttpStatus} | {e.What} |", readme, StringComparison.Ordinal));
    }

    [Fact]
    public void Exception_carries_the_code_and_detail()
    {
        var ex = new AegisException(AegisErrors.ConfigUnknownField, "providers.x.base_ur") { RunId = "r1" };
        Assert.Equal("AEG-CFG-002", ex.Code);
        Assert.Contains("providers.x.base_ur", ex.Message, StringComparison.Ordinal);
        Assert.Equal("r1", ex.RunId);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Aegis.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    [GeneratedRegex("^AEG-[A-Z]{2,4}-[0-9]{3}$")]
    private static partial Regex CodeShape();
}
