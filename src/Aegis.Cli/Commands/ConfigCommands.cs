using System.CommandLine;
using System.Text.Json;
using Aegis.Cli.Hosting;
using Aegis.Cli.Output;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis config validate</c>: the start-up validation, offline, reporting every problem.</summary>
internal static class ConfigCommands
{
    /// <summary>The <c>config</c> command and its subcommands.</summary>
    public static Command Create(CliConsole console) => new("config", "Work with the configuration (appsettings.json, aegis.yaml, AEGIS__ variables)")
    {
        Validate(console),
    };

    private static Command Validate(CliConsole console)
    {
        var config = CommonOptions.Config();
        var json = CommonOptions.Json();
        var command = new Command("validate", "Validate the configuration offline and print every problem with its code and key (exit 1 if any)") { config, json };
        command.SetAction((ParseResult result, CancellationToken cancellationToken) =>
        {
            var (files, problems, summary) = Check(result.GetValue(config));
            if (result.GetValue(json))
            {
                var list = new List<ConfigProblemJson>(problems.Count);
                foreach (var problem in problems)
                {
                    list.Add(new ConfigProblemJson(problem.Code, problem.Error.What, problem.Detail, problem.Error.Fix));
                }

                console.Out.WriteLine(JsonSerializer.Serialize(new ConfigValidateJson(problems.Count == 0, files, list), CliJsonContext.Default.ConfigValidateJson));
            }
            else if (problems.Count == 0)
            {
                console.Out.WriteLine($"OK: {Describe(files)} is valid ({summary})");
            }
            else
            {
                foreach (var problem in problems)
                {
                    console.WriteError(problem);
                }

                console.Error.WriteLine($"{problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")} in {Describe(files)}");
            }

            return Task.FromResult(problems.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure);
        });
        return command;
    }

    /// <summary>Every problem the configuration has, as the gateway would report them at start-up.</summary>
    internal static (IReadOnlyList<string> Files, IReadOnlyList<AegisException> Problems, string Summary) Check(string? configPath)
    {
        CliConfigurationSources sources;
        AegisOptions options;
        try
        {
            sources = CliConfiguration.Build(configPath);
        }
        catch (AegisException ex)
        {
            return (configPath is null ? [] : [configPath], [ex], string.Empty);
        }

        try
        {
            // The structural check (unknown keys, wrong types) stops at its first finding.
            options = AegisOptionsBinder.BindUnresolved(sources.Configuration);
        }
        catch (AegisException ex)
        {
            return (sources.Files, [ex], string.Empty);
        }

        var catalog = BuiltInPacks();
        var context = AegisValidationContext.FromCatalog(catalog, new ChatProviderFactory().KnownTypes);
        var problems = new List<AegisException>(AegisOptionsValidator.ValidateAll(options, context));
        problems.AddRange(AegisSecrets.FindUnresolved(options));
        foreach (var (name, guardrail) in options.Guardrails)
        {
            // Build each guardrail whose pack exists, as the pipeline compiler would: bad patterns, verdicts, modes.
            if (guardrail.Pack is { } pack && catalog.TryResolve(pack, out _, out _))
            {
                try
                {
                    _ = catalog.Create(name, guardrail);
                }
                catch (AegisException ex)
                {
                    problems.Add(ex);
                }
            }
        }

        var summary = $"{Count(options.Providers.Count, "provider")}, {Count(options.Guardrails.Count, "guardrail")}, {Count(options.Routes.Count, "route")}";
        return (sources.Files, problems, summary);
    }

    /// <summary>The guardrail packs every <c>AddAegis</c> registers, with their aliases.</summary>
    private static GuardrailPackCatalog BuiltInPacks() => new GuardrailPackCatalog()
        .Register("pii", PiiGuardrail.Create, "aegis.pii")
        .Register("injection", InjectionGuardrail.Create, "aegis.regex_guard", "aegis.injection")
        .Register("regex", RegexGuardrail.Create, "aegis.regex");

    private static string Describe(IReadOnlyList<string> files) => files.Count == 0 ? "the configuration (no file found; environment variables only)" : string.Join(", ", files);

    private static string Count(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
