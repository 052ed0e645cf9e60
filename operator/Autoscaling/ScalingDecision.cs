namespace ModelOperator.Operator.Autoscaling;

/// <summary>
/// What one autoscaling step decided: the replicas to run, the <c>ScalingActive</c> and <c>ScalingLimited</c>
/// conditions (as the HorizontalPodAutoscaler reports them) and the state the next step starts from.
/// </summary>
public sealed record ScalingDecision(
    int Current,
    int Desired,
    bool Active,
    string ActiveReason,
    string ActiveMessage,
    bool Limited,
    string LimitedReason,
    string LimitedMessage,
    ScalingState State)
{
    /// <summary>Whether the replica count changes.</summary>
    public bool Changes => Desired != Current;
}
