using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Reconcile;

/// <summary>
/// Checks what the CRD schema cannot (or what an API server without schema validation let through). An invalid spec
/// is terminal: it becomes Ready=False with reason <see cref="Reason"/>, never a retry loop.
/// </summary>
public static class SpecValidator
{
    /// <summary>The condition reason for an invalid spec.</summary>
    public const string Reason = "InvalidSpec";

    // Children are named <name>-<10-char revision>; Service and pod labels must stay within 63 characters.
    private const int MaxNameLength = 52;

    /// <summary>Every problem found, each naming the field; empty when the spec is valid.</summary>
    public static IReadOnlyList<string> Validate(ModelDeployment md)
    {
        var errors = new List<string>();
        var name = md.Metadata?.Name ?? "";
        if (name.Length > MaxNameLength)
            errors.Add($"metadata.name is {name.Length} characters; at most {MaxNameLength} leave room for the revision suffix");
        var spec = md.Spec;
        if (spec is null) { errors.Add("spec is required"); return errors; }
        ValidateModel(spec.Model, errors);
        if (spec.Model?.S3?.CredentialsSecret is not null)
            foreach (var own in (spec.Runtime?.Env ?? []).Where(e => ModelAccess.S3CredentialKeys.Contains(e.Name)))
                errors.Add($"spec.runtime.env sets {own.Name}, which spec.model.s3.credentialsSecret provides; set it in the Secret or drop the credentialsSecret");

        var device = spec.Runtime?.Device;
        if (device is not null and not ("auto" or "cuda" or "cpu"))
            errors.Add($"spec.runtime.device '{device}' must be auto, cuda or cpu");
        var gpus = spec.Gpu?.Count ?? 0;
        if (gpus < 0) errors.Add($"spec.gpu.count {gpus} must not be negative");
        if (device == "cuda" && gpus == 0) errors.Add("spec.runtime.device is cuda but spec.gpu.count is 0; request at least one GPU");
        if (device == "cpu" && gpus > 0) errors.Add($"spec.runtime.device is cpu but spec.gpu.count is {gpus}; GPUs would sit idle");
        if (spec.Runtime?.Batching is { } b)
        {
            if (b.MaxBatchSize is < 1) errors.Add($"spec.runtime.batching.maxBatchSize {b.MaxBatchSize} must be at least 1");
            if (b.MaxDelayMs is < 0) errors.Add($"spec.runtime.batching.maxDelayMs {b.MaxDelayMs} must not be negative");
        }
        if (spec.Replicas is { } r)
        {
            if (r.Min < 0) errors.Add($"spec.replicas.min {r.Min} must not be negative");
            if (r.Max < 1) errors.Add($"spec.replicas.max {r.Max} must be at least 1");
            if (r.Min > r.Max) errors.Add($"spec.replicas.min {r.Min} exceeds spec.replicas.max {r.Max}");
        }
        ValidateDurations(spec, errors);
        ValidateScaleToZero(spec, errors);
        if (spec.Autoscaling is { Source: "prometheus", PrometheusUrl: null })
            errors.Add("spec.autoscaling.prometheusUrl is required when source is prometheus");
        if (spec.Benchmark?.BatchSizes is { } sizes && sizes.Any(s => s < 1))
            errors.Add("spec.benchmark.batchSizes must all be at least 1");
        foreach (var (input, shape) in spec.Benchmark?.InputShapes ?? [])
        {
            if (shape is null || shape.Count == 0) errors.Add($"spec.benchmark.inputShapes.{input} must list at least one dimension");
            else if (shape.Any(d => d < 1)) errors.Add($"spec.benchmark.inputShapes.{input} [{string.Join(',', shape)}] must have every dimension at least 1");
        }
        ValidateRollout(spec.Rollout, errors);
        return errors;
    }

    private static void ValidateModel(ModelSource? model, List<string> errors)
    {
        if (model is null || string.IsNullOrWhiteSpace(model.Uri)) { errors.Add("spec.model.uri is required"); return; }
        if (!System.Text.RegularExpressions.Regex.IsMatch(model.Uri, ModelSource.UriPattern))
            errors.Add($"spec.model.uri '{model.Uri}' must be oci://, https://, s3://bucket/key, pvc://claim/path or file:///");
        if (model.Digest is not null && !System.Text.RegularExpressions.Regex.IsMatch(model.Digest, "^sha256:[a-f0-9]{64}$"))
            errors.Add($"spec.model.digest '{model.Digest}' must be sha256: followed by 64 hex characters");
        if (model.Digest is not null && model.Uri.Contains("@sha256:") && !model.Uri.EndsWith("@" + model.Digest, StringComparison.Ordinal))
            errors.Add("spec.model.digest contradicts the digest in spec.model.uri");
        if (model.Format is not null and not "onnx") errors.Add($"spec.model.format '{model.Format}' must be onnx");
        // As the CRD's CEL rules say, for an API server that does not run them.
        if (model.Cache?.Node == true && !model.Uri.StartsWith("oci://", StringComparison.Ordinal))
            errors.Add("spec.model.cache.node applies only to oci:// models (the cache is keyed by the manifest digest)");
        if (model.Cache?.Prefetch == true && !model.Uri.StartsWith("oci://", StringComparison.Ordinal))
            errors.Add("spec.model.cache.prefetch applies only to oci:// models (it fills the node cache, which is keyed by the manifest digest)");
        if (model.Cache is { Prefetch: true, Node: false })
            errors.Add("spec.model.cache.prefetch fills the node cache: it needs node: true (or node left out, with the chart's modelCache.nodeByDefault)");
        errors.AddRange(ModelAccess.Validate(model));
    }

    private static void ValidateDurations(ModelDeploymentSpec spec, List<string> errors)
    {
        void Check(string field, string? value)
        {
            if (value is not null && Durations.TryParse(value) is null)
                errors.Add($"{field} '{value}' is not a duration such as 30s, 2m or 1h30m");
        }
        Check("spec.autoscaling.window", spec.Autoscaling?.Window);
        Check("spec.autoscaling.scaleUpStabilization", spec.Autoscaling?.ScaleUpStabilization);
        Check("spec.autoscaling.scaleDownStabilization", spec.Autoscaling?.ScaleDownStabilization);
        Check("spec.rollout.analysis.interval", spec.Rollout?.Analysis?.Interval);
        Check("spec.rollout.analysis.progressDeadline", spec.Rollout?.Analysis?.ProgressDeadline);
        Check("spec.rollout.shadow.duration", spec.Rollout?.Shadow?.Duration);
        for (var i = 0; i < (spec.Rollout?.Steps?.Count ?? 0); i++)
            Check($"spec.rollout.steps[{i}].pause", spec.Rollout!.Steps![i].Pause);
    }

    // The CRD's CEL rules say the same; an API server without them must not leave a model at zero with nothing to wake it.
    private static void ValidateScaleToZero(ModelDeploymentSpec spec, List<string> errors)
    {
        var scaleToZero = spec.Autoscaling?.ScaleToZero;
        if (spec.Replicas is { Min: 0 } && scaleToZero is null)
            errors.Add("spec.replicas.min 0 needs spec.autoscaling.scaleToZero: nothing else brings a model back from zero pods (to park a model, kubectl scale it to 0)");
        if (scaleToZero is null) return;
        if ((spec.Replicas?.Min ?? 1) != 0) errors.Add($"spec.autoscaling.scaleToZero needs spec.replicas.min 0 (it is {spec.Replicas?.Min ?? 1})");
        if (Durations.TryParse(scaleToZero.IdleAfter) is not { } idle || idle <= TimeSpan.Zero)
            errors.Add($"spec.autoscaling.scaleToZero.idleAfter '{scaleToZero.IdleAfter}' must be a positive duration such as 30s, 5m or 1h");
        if (scaleToZero.ColdStartTimeout is { } timeout && (Durations.TryParse(timeout) is not { } t || t <= TimeSpan.Zero))
            errors.Add($"spec.autoscaling.scaleToZero.coldStartTimeout '{timeout}' must be a positive duration such as 30s or 2m");
        if (scaleToZero.MaxHeldRequests is < 1)
            errors.Add($"spec.autoscaling.scaleToZero.maxHeldRequests {scaleToZero.MaxHeldRequests} must be at least 1");
    }

    private static void ValidateRollout(RolloutSpec? rollout, List<string> errors)
    {
        if (rollout is null) return;
        var previous = 0;
        for (var i = 0; i < (rollout.Steps?.Count ?? 0); i++)
        {
            var w = rollout.Steps![i].Weight;
            if (w is < 0 or > 100) errors.Add($"spec.rollout.steps[{i}].weight {w} must be between 0 and 100");
            else if (w <= previous && i > 0) errors.Add($"spec.rollout.steps[{i}].weight {w} must be greater than the step before ({previous})");
            previous = w;
        }
        if (rollout.Analysis is { MaxP95Ms: not null, MaxP95Ratio: not null })
            errors.Add("spec.rollout.analysis takes maxP95Ms or maxP95Ratio, not both");
        if (rollout.Analysis?.MaxErrorRate is < 0 or > 1)
            errors.Add($"spec.rollout.analysis.maxErrorRate {rollout.Analysis.MaxErrorRate} must be between 0 and 1");
        ValidateShadow(rollout, errors);
    }

    // The CRD's schema and CEL rules say the same (issue 23); an answer check without a shadow would be accepted and never act.
    private static void ValidateShadow(RolloutSpec rollout, List<string> errors)
    {
        var analysis = rollout.Analysis;
        if (analysis?.MinAgreement is { } min && !(min is >= 0 and <= 1))
            errors.Add($"spec.rollout.analysis.minAgreement {min} must be between 0 and 1");
        if (analysis?.MaxOutputDiff is { } diff && !(diff >= 0))
            errors.Add($"spec.rollout.analysis.maxOutputDiff {diff} must not be negative");
        if (analysis?.Outputs is { } outputs)
        {
            if (outputs.Count == 0) errors.Add("spec.rollout.analysis.outputs is empty; leave it out to check every output");
            foreach (var blank in outputs.Where(string.IsNullOrWhiteSpace).Take(1))
                errors.Add("spec.rollout.analysis.outputs names an empty output");
        }
        var answerChecks = new[] { ("minAgreement", analysis?.MinAgreement is not null), ("maxOutputDiff", analysis?.MaxOutputDiff is not null), ("outputs", analysis?.Outputs is not null) }
            .Where(c => c.Item2).Select(c => c.Item1).ToList();
        if (rollout.Shadow is not { } shadow)
        {
            if (answerChecks.Count > 0)
                errors.Add($"spec.rollout.analysis.{string.Join(", ", answerChecks)} judge a shadow's answers and need spec.rollout.shadow; answers are compared only during a shadow phase");
            return;
        }
        if (analysis is null) errors.Add("spec.rollout.shadow needs spec.rollout.analysis: the shadow phase passes only on a passed check");
        if (shadow.Fraction is { } f && !(f > 0 && f <= 1))
            errors.Add($"spec.rollout.shadow.fraction {f} must be above 0 and at most 1; a shadow that gets no copies can never pass");
        if (shadow.MinRequests is < 1) errors.Add($"spec.rollout.shadow.minRequests {shadow.MinRequests} must be at least 1");
    }
}
