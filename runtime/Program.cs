using ModelOperator.Runtime.Cli;

return await CommandLine.RunAsync(args);
