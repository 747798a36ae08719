namespace Aegis.Testing;

/// <summary>Marks the shared test-suite assembly.</summary>
internal static class AssemblyMarker;
