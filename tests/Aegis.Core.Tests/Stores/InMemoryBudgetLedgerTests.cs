using Aegis.Testing;

namespace Aegis.Core.Tests.Stores;

public sealed class InMemoryBudgetLedgerTests : BudgetLedgerContractTests
{
    protected override IBudgetLedger CreateStore(TimeProvider time) => new InMemoryBudgetLedger();
}
