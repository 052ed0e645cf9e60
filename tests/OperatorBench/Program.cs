using ModelOperator.OperatorBench;

// operator-bench --operator <model-operator.dll> [--n 1000] [--idle-seconds 30]
var options = BenchOptions.Parse(args);
if (options is null) return 2;
var result = await ScaleBenchmark.RunAsync(options);
Console.WriteLine(result.Line);
Console.WriteLine(result.Details);
return result.Converged ? 0 : 1;
