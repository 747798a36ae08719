using Aegis.Testing;

namespace Aegis.Core.Tests.Stores;

public sealed class InMemoryRunStoreTests : RunStoreContractTests
{
    protected override IRunStore CreateStore(TimeProvider time) => new InMemoryRunStore();
}
