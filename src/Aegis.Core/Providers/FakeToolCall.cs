namespace Aegis;

/// <summary>One tool call that a <see cref="FakeChatClient"/> returns when it is scripted to call tools.</summary>
/// <param name="Name">The tool (function) name.</param>
/// <param name="ArgumentsJson">The arguments as a JSON object, for example <c>{"city":"Paris"}</c>.</param>
public sealed record FakeToolCall(string Name, string ArgumentsJson = "{}");
