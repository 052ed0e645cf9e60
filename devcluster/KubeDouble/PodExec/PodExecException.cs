namespace ModelOperator.KubeDouble.PodExec;

/// <summary>The command cannot run; before the upgrade answered as 400 BadRequest, after it as the error channel's Status.</summary>
public sealed class PodExecException(string message) : Exception(message);
