namespace Aegis.Storage.Sqlite.Tests; public sealed class Smoke { [Fact] public void Builds() => Assert.True(typeof(Aegis.IRunStore).IsInterface); }
