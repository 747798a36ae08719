using Aegis.Testing;

namespace Aegis.Core.Tests.Stores;

public sealed class InMemoryApiKeyStoreTests : ApiKeyStoreContractTests
{
    protected override IApiKeyStore CreateStore(TimeProvider time) => new InMemoryApiKeyStore(time);
}
