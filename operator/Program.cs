Console.Error.WriteLine("model-operator: not built yet");
return 2;
