namespace ModelOperator.Runtime.Server;

/// <summary>
/// Where a served model is in its life: only <see cref="Ready"/> answers the ready probe; inference is served while
/// <see cref="Warming"/> (the server's own warm-up requests), <see cref="Ready"/> and <see cref="Stopping"/>.
/// </summary>
internal enum ModelState { Loading, Benchmarking, Warming, Ready, Failed, Stopping }
