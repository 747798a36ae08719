using System.Collections.Frozen;

namespace Aegis;

/// <summary>
/// The error catalog: every code Aegis emits, in one place, used by every layer and rendered as the
/// README's table. Codes are stable and never reused for another meaning.
/// </summary>
public static class AegisErrors
{
    // CFG — configuration
    /// <summary>AEG-CFG-001: the configuration file cannot be read or parsed.</summary>
    public static readonly AegisError ConfigInvalidFile = new("AEG-CFG-001", 500, "Invalid configuration file", "The file is missing, unreadable, or not valid YAML/JSON", "Check the path and the syntax at the reported line");
    /// <summary>AEG-CFG-002: a key that Aegis does not know.</summary>
    public static readonly AegisError ConfigUnknownField = new("AEG-CFG-002", 500, "Unknown configuration field", "The key is misspelt or belongs to a feature this version does not have", "Remove or correct the reported key");
    /// <summary>AEG-CFG-003: a required key is missing.</summary>
    public static readonly AegisError ConfigMissingField = new("AEG-CFG-003", 500, "Missing configuration field", "A required key was not set", "Add the reported key");
    /// <summary>AEG-CFG-004: a key has a value of the wrong type or outside its allowed set.</summary>
    public static readonly AegisError ConfigInvalidValue = new("AEG-CFG-004", 500, "Invalid configuration value", "The value has the wrong type or is not one of the allowed values", "Use one of the values named in the message");
    /// <summary>AEG-CFG-005: a <c>secret://</c> reference cannot be resolved.</summary>
    public static readonly AegisError ConfigSecretUnresolved = new("AEG-CFG-005", 500, "Secret reference not resolved", "The secret:// reference names a variable that is not set, or an unknown scheme", "Set the environment variable, or use secret://env/NAME");
    /// <summary>AEG-CFG-010: a route names a provider that is not configured.</summary>
    public static readonly AegisError ConfigUnknownProvider = new("AEG-CFG-010", 500, "Unknown provider reference", "A route or fallback names a provider that is not under providers:", "Define the provider or fix the name");
    /// <summary>AEG-CFG-011: a pipeline names a guardrail that is not configured.</summary>
    public static readonly AegisError ConfigUnknownGuardrail = new("AEG-CFG-011", 500, "Unknown guardrail reference", "A pipeline stage names a guardrail that is not under guardrails: and not registered in code", "Define the guardrail or fix the name");
    /// <summary>AEG-CFG-020: a plugin could not be loaded.</summary>
    public static readonly AegisError ConfigPluginLoad = new("AEG-CFG-020", 500, "Plugin failed to load", "The plugin's factory threw while building it", "Check the plugin's own configuration and logs");
    /// <summary>AEG-CFG-021: two registrations under one name.</summary>
    public static readonly AegisError ConfigDuplicate = new("AEG-CFG-021", 500, "Duplicate name", "Two providers, guardrails or routes were registered under the same name", "Rename one of them");
    /// <summary>AEG-CFG-022: a named plugin (pack, provider type) does not exist.</summary>
    public static readonly AegisError ConfigPluginNotFound = new("AEG-CFG-022", 500, "Plugin not found", "The pack: or type: names something this build does not have", "Use a built-in name or register the plugin in code");

    // AUTH — identity
    /// <summary>AEG-AUTH-001: missing or invalid API key.</summary>
    public static readonly AegisError AuthInvalidKey = new("AEG-AUTH-001", 401, "Invalid or missing API key", "Bearer token did not match any active key", "Create a key with `aegis keys create` and pass it as Bearer");
    /// <summary>AEG-AUTH-002: the principal may not use the route.</summary>
    public static readonly AegisError AuthRouteForbidden = new("AEG-AUTH-002", 403, "Route not allowed for this principal", "The route is restricted to other principals or teams", "Use a key whose principal or team the route allows");
    /// <summary>AEG-AUTH-003: the principal is not among the run's approvers.</summary>
    public static readonly AegisError AuthNotApprover = new("AEG-AUTH-003", 403, "Not an approver of this run", "The run names approvers and the caller is not one of them", "Resume with a key of a listed approver");

    // PRV — providers
    /// <summary>AEG-PRV-001: provider not found.</summary>
    public static readonly AegisError ProviderNotFound = new("AEG-PRV-001", 500, "Provider not found", "The route's provider is not registered", "Register the provider or fix the route");
    /// <summary>AEG-PRV-002: no provider satisfies the residency constraints.</summary>
    public static readonly AegisError ProviderNoCompliant = new("AEG-PRV-002", 503, "No compliant provider", "Residency rules filtered out every provider of the route", "Add a provider in an allowed region or relax the rule");
    /// <summary>AEG-PRV-003: the upstream call failed.</summary>
    public static readonly AegisError ProviderUpstreamFailed = new("AEG-PRV-003", 502, "Upstream provider failed", "The model API returned an error or could not be reached", "Check the provider's status and base_url; retry");
    /// <summary>AEG-PRV-004: the model is not supported by the provider.</summary>
    public static readonly AegisError ProviderModelNotSupported = new("AEG-PRV-004", 400, "Model not supported", "The provider does not serve the requested model", "Use a model the provider serves");
    /// <summary>AEG-PRV-005: the upstream rejected the credential.</summary>
    public static readonly AegisError ProviderCredentialRejected = new("AEG-PRV-005", 502, "Provider credential rejected", "The upstream API refused the configured api_key", "Fix the provider's api_key (secret://env/NAME)");

    // POL — policy
    /// <summary>AEG-POL-001: a pipeline references a guardrail that cannot be built.</summary>
    public static readonly AegisError PolicyBrokenReference = new("AEG-POL-001", 500, "Broken guardrail reference", "A compiled pipeline refers to a guardrail that failed to build", "Fix the guardrail's configuration");
    /// <summary>AEG-POL-002: a guardrail's pack is missing.</summary>
    public static readonly AegisError PolicyMissingPack = new("AEG-POL-002", 500, "Missing guardrail pack", "The pack exists in the original gateway but not in this build", "Remove the guardrail or use an available pack");
    /// <summary>AEG-POL-003: a route that asked to stream must buffer.</summary>
    public static readonly AegisError PolicyStreamingDowngrade = new("AEG-POL-003", 200, "Streaming downgraded to buffered", "An egress guard of the route cannot scan incrementally", "Use only incremental egress guards on routes that must stream");
    /// <summary>AEG-POL-004: a guardrail blocked the run.</summary>
    public static readonly AegisError PolicyBlocked = new("AEG-POL-004", 403, "Blocked by policy", "A guardrail returned a block verdict", "Change the request, or ask an operator about the named guardrail");
    /// <summary>AEG-POL-005: the run is paused waiting for approval.</summary>
    public static readonly AegisError PolicyApprovalRequired = new("AEG-POL-005", 409, "Approval required", "A guardrail paused the run for a human decision", "An approver resumes it with POST /v1/runs/{id}/resume; poll GET /v1/runs/{id}");
    /// <summary>AEG-POL-006: a streamed answer was cut by a late violation.</summary>
    public static readonly AegisError PolicyStreamTruncated = new("AEG-POL-006", 200, "Stream truncated by a late violation", "The final pass over the whole answer found a violation after part of it was sent", "Treat the answer as incomplete (finish_reason content_filter)");

    // MCP — tools
    /// <summary>AEG-MCP-001: a tool call was blocked.</summary>
    public static readonly AegisError ToolCallBlocked = new("AEG-MCP-001", 403, "Tool call blocked", "A tool_call guard blocked the model's tool call", "Review the tool policy");
    /// <summary>AEG-MCP-002: a tool result was blocked.</summary>
    public static readonly AegisError ToolResultBlocked = new("AEG-MCP-002", 403, "Tool result blocked", "A tool_result guard blocked the tool's output", "Review the tool's output and the policy");
    /// <summary>AEG-MCP-003: the tool does not exist.</summary>
    public static readonly AegisError ToolNotFound = new("AEG-MCP-003", 404, "Tool not found", "The model called a tool that is not registered", "Register the tool or fix its name");
    /// <summary>AEG-MCP-004: a tool call carries a masked placeholder.</summary>
    public static readonly AegisError ToolExfiltration = new("AEG-MCP-004", 403, "Exfiltration attempt", "A tool-call argument carries a masked placeholder of the run", "Do not route masked values into tools");

    // RAG
    /// <summary>AEG-RAG-001: RAG is not configured.</summary>
    public static readonly AegisError RagNotConfigured = new("AEG-RAG-001", 503, "RAG not configured", "No rag: section and no vector store are configured", "Add a rag: section (or UseSqlite) to enable /v1/rag/*");
    /// <summary>AEG-RAG-002: embedding failed.</summary>
    public static readonly AegisError RagEmbeddingFailed = new("AEG-RAG-002", 502, "Embedding failed", "The embedding generator returned an error", "Check the embedding provider");
    /// <summary>AEG-RAG-003: a retrieved document was blocked.</summary>
    public static readonly AegisError RagDocumentBlocked = new("AEG-RAG-003", 403, "Document blocked", "A tool_result guard blocked a retrieved document", "The document was withheld and audited");
    /// <summary>AEG-RAG-004: the vector store failed.</summary>
    public static readonly AegisError RagStoreFailed = new("AEG-RAG-004", 500, "Vector store failed", "The vector store returned an error", "Check the store's path and permissions");

    // SRV — server
    /// <summary>AEG-SRV-001: the server could not start.</summary>
    public static readonly AegisError ServerStartup = new("AEG-SRV-001", 500, "Server failed to start", "A start-up check failed (no authenticator, port in use, bad configuration)", "Read the message; pass --no-auth only for trusted networks");
    /// <summary>AEG-SRV-002: an unexpected internal error.</summary>
    public static readonly AegisError ServerInternal = new("AEG-SRV-002", 500, "Internal error", "An unexpected fault; details are in the server log under the run id", "Retry; report the run id if it persists");

    // REQ — request validation
    /// <summary>AEG-REQ-001: the body is not valid JSON.</summary>
    public static readonly AegisError RequestMalformedJson = new("AEG-REQ-001", 400, "Malformed JSON", "The request body could not be parsed as JSON", "Send a valid JSON body with Content-Type: application/json");
    /// <summary>AEG-REQ-002: a required field is missing.</summary>
    public static readonly AegisError RequestMissingField = new("AEG-REQ-002", 400, "Missing field", "A required field was absent or null", "Add the reported field");
    /// <summary>AEG-REQ-003: a field has the wrong type or value.</summary>
    public static readonly AegisError RequestInvalidField = new("AEG-REQ-003", 400, "Invalid field", "A field has the wrong type or an unsupported value", "Fix the reported field");
    /// <summary>AEG-REQ-004: the body is larger than the limit.</summary>
    public static readonly AegisError RequestTooLarge = new("AEG-REQ-004", 413, "Request body too large", "The body exceeds the configured limit (default 4 MiB)", "Send a smaller body or raise the limit");
    /// <summary>AEG-REQ-005: unknown route (OpenAI <c>model</c>).</summary>
    public static readonly AegisError RequestUnknownRoute = new("AEG-REQ-005", 404, "Unknown route", "The route (or OpenAI model) is not configured", "Use a route listed by GET /v1/models");
    /// <summary>AEG-REQ-006: invalid approval decision.</summary>
    public static readonly AegisError RequestInvalidDecision = new("AEG-REQ-006", 400, "Invalid decision", "decision must be \"approved\" or \"denied\"", "Send {\"decision\": \"approved\"} or {\"decision\": \"denied\"}");
    /// <summary>AEG-REQ-007: no messages.</summary>
    public static readonly AegisError RequestEmptyMessages = new("AEG-REQ-007", 400, "No messages", "messages was empty or every message was empty", "Send at least one message with content");
    /// <summary>AEG-REQ-008: unknown message role.</summary>
    public static readonly AegisError RequestUnknownRole = new("AEG-REQ-008", 400, "Unknown role", "A message role is not system, user, assistant, tool or developer", "Use a standard role");

    /// <summary>AEG-REQ-009: no endpoint at this path.</summary>
    public static readonly AegisError RequestUnknownPath = new("AEG-REQ-009", 404, "Unknown endpoint", "No Aegis endpoint is mounted at this path", "Check the path against docs/http-api.md (e.g. POST /v1/chat/completions)");
    /// <summary>AEG-REQ-010: the endpoint exists but not for this HTTP method.</summary>
    public static readonly AegisError RequestMethodNotAllowed = new("AEG-REQ-010", 405, "Method not allowed", "The endpoint exists but does not accept this HTTP method", "Use the method named in the Allow header");

    // RUN — run lifecycle
    /// <summary>AEG-RUN-001: no such run.</summary>
    public static readonly AegisError RunNotFound = new("AEG-RUN-001", 404, "Run not found", "No run has this id", "Check the run_id returned by POST /v1/runs");
    /// <summary>AEG-RUN-002: the run is not paused.</summary>
    public static readonly AegisError RunNotPaused = new("AEG-RUN-002", 409, "Run is not paused", "Only a paused run can be resumed; it already finished or another resume won", "GET the run to see its status");

    // KEY — API key management
    /// <summary>AEG-KEY-001: no API key has this id.</summary>
    public static readonly AegisError KeyNotFound = new("AEG-KEY-001", 404, "API key not found", "No key in the database has this id", "List the ids with `aegis keys list` (and check --db)");

    // LIM / BUD — limits
    /// <summary>AEG-LIM-001: rate limited.</summary>
    public static readonly AegisError RateLimited = new("AEG-LIM-001", 429, "Rate limited", "The key or principal exceeded its requests or tokens per minute", "Retry after the Retry-After interval");
    /// <summary>AEG-BUD-001: budget exceeded.</summary>
    public static readonly AegisError BudgetExceeded = new("AEG-BUD-001", 402, "Budget exceeded", "The principal's or team's monthly budget is spent", "Raise the budget or wait for the next month (UTC)");

    // STO — storage
    /// <summary>AEG-STO-001: a store operation failed.</summary>
    public static readonly AegisError StoreFailed = new("AEG-STO-001", 500, "Store failed", "The store returned an error", "Check the database path, permissions and disk space");
    /// <summary>AEG-STO-002: the database directory does not exist.</summary>
    public static readonly AegisError StoreDirectoryMissing = new("AEG-STO-002", 500, "Database directory missing", "The directory of the database path does not exist", "Create the directory or pass another --db path");
    /// <summary>AEG-STO-003: the database cannot be written.</summary>
    public static readonly AegisError StoreReadOnly = new("AEG-STO-003", 500, "Database not writable", "The database file or its directory is read-only", "Fix the permissions or pass another --db path");
    /// <summary>AEG-STO-004: the file is not a database.</summary>
    public static readonly AegisError StoreNotADatabase = new("AEG-STO-004", 500, "Not an Aegis database", "The file exists but is not SQLite", "Point --db at an Aegis database or a new path");
    /// <summary>AEG-STO-005: the database was written by a newer Aegis.</summary>
    public static readonly AegisError StoreSchemaTooNew = new("AEG-STO-005", 500, "Database schema too new", "The file was created by a newer Aegis version", "Upgrade Aegis or use another database file");
    /// <summary>AEG-STO-006: the mask-map encryption key is missing or wrong.</summary>
    public static readonly AegisError StoreKeyInvalid = new("AEG-STO-006", 500, "Encryption key invalid", "The key that protects paused runs' mask maps is missing, malformed or not the one they were written with", "Restore the key file beside the database or set persistence.encryption_key");

    private static readonly FrozenDictionary<string, AegisError> ByCode = typeof(AegisErrors)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(AegisError))
        .Select(f => (AegisError)f.GetValue(null)!)
        .ToFrozenDictionary(e => e.Code, StringComparer.Ordinal);

    /// <summary>Every code in the catalog, ordered by code.</summary>
    public static IReadOnlyList<AegisError> All { get; } = [.. ByCode.Values.OrderBy(e => e.Code, StringComparer.Ordinal)];

    /// <summary>Looks up a code.</summary>
    public static bool TryGet(string code, out AegisError error) => ByCode.TryGetValue(code, out error!);
}
