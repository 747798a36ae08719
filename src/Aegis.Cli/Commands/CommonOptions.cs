using System.CommandLine;

namespace Aegis.Cli.Commands;

/// <summary>The options several commands share, created per command (a System.CommandLine symbol has one parent).</summary>
internal static class CommonOptions
{
    /// <summary><c>--config</c>: the YAML file.</summary>
    public static Option<string?> Config() => new("--config", "-c")
    {
        Description = $"The YAML configuration file [default: {Hosting.CliConfiguration.DefaultConfigFile} when it exists]",
    };

    /// <summary><c>--db</c>: the SQLite database.</summary>
    public static Option<string?> Database() => new("--db")
    {
        Description = "The SQLite database file [default: persistence.path, else aegis.db]",
    };

    /// <summary><c>--json</c>: machine-readable output.</summary>
    public static Option<bool> Json() => new("--json")
    {
        Description = "Write JSON instead of text",
    };

    /// <summary><c>--host</c>.</summary>
    public static Option<string> Host(string defaultValue, string description) => new("--host")
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary><c>--port</c>, 0-65535 (0 picks a free port).</summary>
    public static Option<int> Port()
    {
        var option = new Option<int>("--port", "-p")
        {
            Description = "The TCP port (0 picks a free one)",
            DefaultValueFactory = _ => 8000,
        };
        option.Validators.Add(result =>
        {
            var port = result.GetValueOrDefault<int>();
            if (port is < 0 or > 65535)
            {
                result.AddError($"--port {port}: must be between 0 and 65535");
            }
        });
        return option;
    }
}
