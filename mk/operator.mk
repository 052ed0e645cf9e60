# Operator: CRD generation and the scale benchmark (issue 5); autoscaling end to end (issue 10).
# hey drives load through a Service's cluster IP in the autoscaling end-to-end tests and bench-autoscale.
APT_PACKAGES += hey prometheus
.PHONY: crds bench-operator bench-autoscale
bench: bench-autoscale

## crds             regenerate crds/ and the chart's copy from the C# API types (a test fails when either drifts)
crds:
	$(DOTNET) run --project operator -c $(CONFIGURATION) -- crds --output $(CURDIR)/crds
	cp $(CURDIR)/crds/*.yaml $(CURDIR)/charts/model-operator/files/crds/

## bench-operator   1,000 ModelDeployments against the API double: convergence time, idle writes, peak RSS
bench-operator:
	$(DOTNET) build operator -c $(CONFIGURATION) -nologo -clp:ErrorsOnly
	$(DOTNET) run --project tests/OperatorBench -c $(CONFIGURATION) -- --operator $(CURDIR)/operator/bin/$(CONFIGURATION)/net10.0/model-operator.dll

.PHONY: bench-rollout
BENCH_ROLLOUT_OUT ?= $(CURDIR)/.artifacts/bench-rollout.txt
BENCH_ROLLOUT_SHADOW_OUT ?= $(CURDIR)/.artifacts/bench-rollout-shadow.txt
## bench-rollout    on the dev cluster under load (interval 5s, failureLimit 2): seconds from a slow canary's canaryWeight > 0 and first traffic to the rollback decision and to stable at full weight, failed requests, each interval's verdict; then the shadow path (interval 3s, failureLimit 2): seconds from a wrong-answers shadow's first mirrored request to its rollback
bench-rollout: sample-models
	$(DOTNET) build tests/Operator.Tests -c $(CONFIGURATION) -nologo -clp:ErrorsOnly
	mkdir -p $(dir $(BENCH_ROLLOUT_OUT)) $(dir $(BENCH_ROLLOUT_SHADOW_OUT))
	BENCH_ROLLOUT_OUT=$(BENCH_ROLLOUT_OUT) $(DOTNET) test tests/Operator.Tests -c $(CONFIGURATION) --no-build \
		--filter "FullyQualifiedName~RolloutEndToEndTests.SlowerTwin"
	BENCH_ROLLOUT_SHADOW_OUT=$(BENCH_ROLLOUT_SHADOW_OUT) $(DOTNET) test tests/Operator.Tests -c $(CONFIGURATION) --no-build \
		--filter "FullyQualifiedName~ShadowRolloutEndToEndTests.SameSignatureAndSpeedButOtherAnswers"
	@cat $(BENCH_ROLLOUT_OUT) $(BENCH_ROLLOUT_SHADOW_OUT)

# An end-to-end benchmark is one dev-cluster test that writes its figures: $(call e2e-bench,TEST FILTER,FIGURES FILE)
define e2e-bench
	$(DOTNET) build runtime -c $(CONFIGURATION) -nologo -clp:ErrorsOnly
	$(DOTNET) build tests/Operator.Tests -c $(CONFIGURATION) -nologo -clp:ErrorsOnly
	$(DOTNET) test tests/Operator.Tests -c $(CONFIGURATION) --no-build -nologo --filter "FullyQualifiedName~$(1)"
	@cat $(2)
endef

## bench-autoscale  latency autoscaling on the dev cluster: seconds from load start to the scale decision and to the new pod admitted, failed requests
bench-autoscale: deps sample-models
	$(call e2e-bench,AutoscalingEndToEndTests.LatencyAboveTarget_ScalesUpToMax,.artifacts/bench-autoscale.json)

.PHONY: bench-coldstart
## bench-coldstart  scale to zero on the dev cluster, the model from a registry: seconds from the first request at zero to its answer (4 held at once) with the node cache empty and then warm, bytes pulled, status.coldStart's breakdown, against the warm p95; failed requests
bench-coldstart: deps sample-models
	$(call e2e-bench,ColdStartFromRegistryEndToEndTests,.artifacts/bench-coldstart.json .artifacts/bench-coldstart.txt)
