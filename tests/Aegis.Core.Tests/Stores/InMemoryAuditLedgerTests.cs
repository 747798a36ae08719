using Aegis.Testing;

namespace Aegis.Core.Tests.Stores;

public sealed class InMemoryAuditLedgerTests : AuditLedgerContractTests
{
    protected override IAuditLedger CreateStore(TimeProvider time) => new InMemoryAuditLedger();
}
