// Every test starts real dotnet processes; running them one at a time keeps a loaded 2-core machine responsive.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
