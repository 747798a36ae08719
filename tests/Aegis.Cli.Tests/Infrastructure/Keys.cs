using System.Text.RegularExpressions;

namespace Aegis.Cli.Tests.Infrastructure;

/// <summary>Creates keys through <c>aegis keys create</c> and reads them from its text output.</summary>
internal static partial class Keys
{
    public static async Task<(string Id, string Key)> CreateAsync(string workingDirectory, string db, string principal)
    {
        var result = await AegisCli.RunAsync(workingDirectory, "keys", "create", "--name", principal + "-key", "--principal", principal, "--db", db);
        Assert.True(result.ExitCode == 0, result.ToString());
        var key = KeyPattern().Match(result.Output);
        var id = IdPattern().Match(result.Output);
        Assert.True(key.Success && id.Success, result.ToString());
        return (id.Groups[1].Value, key.Value);
    }

    [GeneratedRegex(@"\baeg-[0-9a-f]{64}\b")]
    public static partial Regex KeyPattern();

    [GeneratedRegex(@"Created key (\S+)")]
    private static partial Regex IdPattern();
}
