namespace Aegis.Core.Tests; public sealed class Smoke { [Fact] public void Catalog_has_codes() => Assert.NotEmpty(Aegis.AegisErrors.All); }
