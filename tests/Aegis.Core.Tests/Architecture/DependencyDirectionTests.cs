using System.Reflection;

namespace Aegis.Core.Tests.Architecture;

/// <summary>DESIGN section 2: Abstractions and Core know nothing of HTTP or databases. Checked on the built assemblies.</summary>
public sealed class DependencyDirectionTests
{
    private static readonly string[] Forbidden = ["Microsoft.AspNetCore", "Microsoft.Data.Sqlite", "SQLitePCLRaw", "System.Data.SqlClient", "Microsoft.Data.SqlClient", "Npgsql", "Microsoft.EntityFrameworkCore", "Aegis.AspNetCore", "Aegis.Storage", "Aegis.Cli"];

    public static TheoryData<string> Packages => new() { "Aegis.Abstractions", "Aegis.Core" };

    [Theory]
    [MemberData(nameof(Packages))]
    public void Package_references_no_HTTP_or_database_assembly(string assemblyName)
    {
        var assembly = Assembly.Load(assemblyName);
        var offending = assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => Forbidden.Any(f => n.StartsWith(f, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        Assert.Empty(offending);
    }

    [Fact]
    public void Abstractions_references_only_the_AI_abstractions_and_the_runtime()
    {
        var references = Assembly.Load("Aegis.Abstractions").GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.All(references, n => Assert.True(n.StartsWith("System", StringComparison.Ordinal) || n == "Microsoft.Extensions.AI.Abstractions" || n == "netstandard", n));
        Assert.Contains("Microsoft.Extensions.AI.Abstractions", references);
    }

    [Fact]
    public void Abstractions_contains_no_implementation_of_its_store_contracts()
    {
        var assembly = Assembly.Load("Aegis.Abstractions");
        var contracts = new[] { typeof(IRunStore), typeof(IAuditLedger), typeof(IApiKeyStore), typeof(IBudgetLedger), typeof(IGuardrail) };
        var implementations = assembly.GetTypes().Where(t => t.IsClass && contracts.Any(c => c.IsAssignableFrom(t))).ToList();
        Assert.Empty(implementations);
    }
}
