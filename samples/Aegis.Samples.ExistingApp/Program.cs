// An ordinary ASP.NET Core app with its own endpoint and its own authentication that adds governed
// LLM endpoints under /ai. Aegis takes the caller's principal from the app's own ClaimsPrincipal.
using System.Security.Claims;
using System.Text.Encodings.Web;
using Aegis;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);

// The app's own authentication: a demo scheme that trusts an "X-Demo-User" header (use your real scheme here:
// cookies, JWT bearer, Entra ID, ...). Aegis only needs an authenticated ClaimsPrincipal.
builder.Services.AddAuthentication(DemoHeaderAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, DemoHeaderAuthenticationHandler>(DemoHeaderAuthenticationHandler.SchemeName, null);
builder.Services.AddAuthorization();

// Aegis: the engine with a fake provider (echo), and the HTTP surface using the host's authentication.
builder.Services.AddAegis(options =>
{
    options.Providers["fake"] = new ProviderOptions { Type = "fake", Echo = true };
    options.Routes["default"] = new AegisRouteOptions { Provider = "fake" };
});
builder.Services.AddAegisHttp(options => options.AuthMode = AegisAuthMode.Host);

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();

// The app's own endpoint.
app.MapGet("/hello", (ClaimsPrincipal user) =>
    Results.Text(user.Identity?.IsAuthenticated == true ? $"Hello, {user.Identity.Name}!" : "Hello, anonymous!"));

// Governed LLM endpoints: /ai/v1/chat/completions, /ai/v1/runs, /ai/approvals, /ai/metrics, ...
app.MapAegis("/ai");

app.Run();

/// <summary>The sample's entry point (public so tests can host it with WebApplicationFactory).</summary>
public partial class Program;

/// <summary>
/// The sample app's own (deliberately trivial) authentication: <c>X-Demo-User: alice</c> and optionally
/// <c>X-Demo-Team: research</c>. A real app uses its real scheme; nothing here is Aegis-specific.
/// </summary>
internal sealed class DemoHeaderAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "DemoHeader";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? user = Request.Headers["X-Demo-User"];
        if (string.IsNullOrWhiteSpace(user))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, user), new(ClaimTypes.Name, user) };
        string? team = Request.Headers["X-Demo-Team"];
        if (!string.IsNullOrWhiteSpace(team))
        {
            claims.Add(new Claim("team", team));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
