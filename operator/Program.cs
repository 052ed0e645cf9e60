// model-operator [run] [options]        runs the operator against the current kube context (or the in-cluster config)
// model-operator crds [--output DIR]    writes the CRD generated from the API types
// model-operator --version | --help     see docs/operator.md (exit codes, completion)
return await ModelOperator.Operator.Cli.OperatorCommandLine.RunAsync(args);
