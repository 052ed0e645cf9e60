namespace ModelOperator.Runtime.Server;

/// <summary>Where a served model is in its life: only <see cref="Ready"/> answers inference and the ready probe.</summary>
internal enum ModelState { Loading, Benchmarking, Ready, Failed, Stopping }
