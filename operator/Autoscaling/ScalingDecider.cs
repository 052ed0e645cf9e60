using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Autoscaling;

/// <summary>
/// The pure autoscaling step, with the HorizontalPodAutoscaler's semantics: the raw recommendation is
/// <c>ceil(current × observed / target)</c> (unchanged within the tolerance; <c>min</c> when idle); stabilization takes
/// the lowest recommendation over the scale-up window and the highest over the scale-down window; the upward rate
/// limit allows per period at most double or +4 pods over the count at the period's start; the result is clamped to
/// [min, max] and to the pods the free GPUs hold. No data holds the current count and records nothing. With scale to
/// zero (<see cref="ScalingPolicy.IdleAfter"/>), a model idle that long with no request since goes to zero at once
/// (no stabilization window: idleAfter is the window), and a model at zero stays there: only a request held by the
/// activator wakes it (<see cref="ScaleToZero.Demand"/>), never a metric, since no pod reports one.
/// </summary>
public static class ScalingDecider
{
    // observed/target is a float ratio: 110/100 is 1.1000000000000001, which must still count as "at the tolerance".
    private const double Epsilon = 1e-9;

    /// <summary>Decides the replica count for <paramref name="current"/> running pods at <paramref name="now"/>.</summary>
    /// <param name="lastDemand">When the activator last reported a held request for the model; a demand within idleAfter keeps it up.</param>
    public static ScalingDecision Decide(ScalingPolicy policy, ScalingSignal signal, int current, GpuCapacity gpu, ScalingState state, DateTimeOffset now,
        DateTimeOffset? lastDemand = null)
    {
        if (policy.IdleAfter is { } idleAfter)
        {
            if (current == 0)
                return new ScalingDecision(0, 0, false, "ScaledToZero", "Scaled to zero: the next request the activator holds wakes the model",
                    false, "DesiredWithinRange", "Holding zero replicas until a request arrives", Prune(state, policy, now) with { IdleSince = null });
            var idleSince = signal is ScalingSignal.Idle ? state.IdleSince ?? now : (DateTimeOffset?)null;
            if (idleSince is { } since && now - since >= idleAfter && !(lastDemand > now - idleAfter))
                return new ScalingDecision(current, 0, true, "IdleToZero",
                    $"No requests for {Durations.Format(now - since)} (scaleToZero.idleAfter {Durations.Format(idleAfter)}): scaling to zero",
                    false, "DesiredWithinRange", "The desired count is within the acceptable range", ScalingState.Empty);
            var decision = DecideOnLatency(policy with { Min = Math.Max(1, policy.Min) }, signal, current, gpu, state, now);
            return decision with { State = decision.State with { IdleSince = idleSince } };
        }
        return DecideOnLatency(policy, signal, current, gpu, state, now);
    }

    private static ScalingDecision DecideOnLatency(ScalingPolicy policy, ScalingSignal signal, int current, GpuCapacity gpu, ScalingState state, DateTimeOffset now)
    {
        if (signal is ScalingSignal.NoData noData)
            return new ScalingDecision(current, current, false, noData.Reason, $"Holding {current} replicas: {noData.Message}",
                false, "DesiredWithinRange", "Holding the current replicas while the signal is missing", Prune(state, policy, now));

        var (raw, activeReason, activeMessage) = signal switch
        {
            ScalingSignal.Latency l => (Recommend(policy, l.ObservedMs, current), "ValidMetricFound",
                $"Observed {l.ObservedMs:0.##} ms against a target of {policy.TargetMs:0.##} ms"),
            _ => (policy.Min, "NoRequests", $"No requests over the window: recommending the minimum of {policy.Min}"),
        };

        state = Prune(state, policy, now);
        var recommendations = state.Recommendations.Append(new TimedReplicas(now, raw)).ToList();
        var upRecommendation = recommendations.Where(r => r.At > now - policy.ScaleUpStabilization || r.At == now).Min(r => r.Replicas);
        var downRecommendation = recommendations.Where(r => r.At > now - policy.ScaleDownStabilization || r.At == now).Max(r => r.Replicas);
        var desired = current;
        if (desired < upRecommendation) desired = upRecommendation;
        if (desired > downRecommendation) desired = downRecommendation;

        var (limited, limitedReason, limitedMessage) = (false, "DesiredWithinRange", "The desired count is within the acceptable range");
        var upLimit = Math.Max(UpLimit(policy, state, current, now), current);
        if (desired > upLimit)
        {
            (limited, limitedReason, limitedMessage) = (true, "ScaleUpLimit",
                $"The desired count {desired} was limited to {upLimit}: at most double or +{policy.ScaleUpPods} pods per {policy.ScaleUpPeriod.TotalSeconds:0.#}s");
            desired = upLimit;
        }
        if (desired > policy.Max)
        {
            (limited, limitedReason, limitedMessage) = (true, "TooManyReplicas", $"The desired count {desired} is more than the maximum of {policy.Max}");
            desired = policy.Max;
        }
        if (desired < policy.Min)
        {
            (limited, limitedReason, limitedMessage) = (true, "TooFewReplicas", $"The desired count {desired} is less than the minimum of {policy.Min}");
            desired = policy.Min;
        }
        var fits = gpu.MaxPods(current);
        if (desired > fits)
        {
            var wanted = desired;
            desired = Math.Max(fits, policy.Min);
            (limited, limitedReason, limitedMessage) = (true, "InsufficientGPU",
                $"Wanted {wanted} replicas of {gpu.GpusPerPod} nvidia.com/gpu each; the schedulable nodes have {Math.Max(0, gpu.FreeGpus)} free beyond the {current} running"
                + (gpu.SurgeFor(fits) is > 0 and var canary ? $", so {fits} fit beside the canary's {canary}" : $", so {fits} fit") + $"; scaled to {desired}");
        }

        var scaleUps = desired > current ? state.ScaleUps.Append(new TimedReplicas(now, desired - current)).ToList() : state.ScaleUps;
        return new ScalingDecision(current, desired, true, activeReason, activeMessage, limited, limitedReason, limitedMessage,
            new ScalingState(recommendations, scaleUps));
    }

    /// <summary>The raw recommendation for an observed latency: unchanged within the tolerance, else proportional.</summary>
    public static int Recommend(ScalingPolicy policy, double observedMs, int current)
    {
        var ratio = observedMs / policy.TargetMs;
        if (Math.Abs(ratio - 1) <= policy.Tolerance + Epsilon) return current;
        return (int)Math.Min(int.MaxValue, Math.Ceiling(Math.Max(current, 1) * ratio - Epsilon));
    }

    // The HPA's default Pods/Percent policies with selectPolicy Max, counted from the replicas at the period's start.
    private static int UpLimit(ScalingPolicy policy, ScalingState state, int current, DateTimeOffset now)
    {
        var added = state.ScaleUps.Where(e => e.At > now - policy.ScaleUpPeriod).Sum(e => e.Replicas);
        var periodStart = Math.Max(0, current - added);
        var limit = Math.Max((long)Math.Ceiling(periodStart * policy.ScaleUpFactor), periodStart + (long)policy.ScaleUpPods);
        return (int)Math.Min(int.MaxValue, limit);
    }

    private static ScalingState Prune(ScalingState state, ScalingPolicy policy, DateTimeOffset now)
    {
        var keep = new[] { policy.ScaleUpStabilization, policy.ScaleDownStabilization }.Max();
        return new ScalingState(
            state.Recommendations.Where(r => r.At > now - keep).ToList(),
            state.ScaleUps.Where(e => e.At > now - policy.ScaleUpPeriod).ToList());
    }
}
