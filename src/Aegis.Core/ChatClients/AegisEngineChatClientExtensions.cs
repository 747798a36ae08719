using Microsoft.Extensions.AI;

namespace Aegis;

/// <summary>Takes an Aegis route as an <see cref="IChatClient"/>.</summary>
public static class AegisEngineChatClientExtensions
{
    /// <summary>
    /// The route as an <see cref="IChatClient"/>, so code written against Microsoft.Extensions.AI is
    /// governed by swapping one registration; wrap it further with <c>.AsBuilder().Use...()</c>.
    /// </summary>
    public static GovernedChatClient AsChatClient(this AegisEngine engine, string route = "default", Principal? principal = null) =>
        new(engine, route, principal);
}
