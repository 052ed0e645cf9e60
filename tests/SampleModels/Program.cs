Console.Error.WriteLine("sample-models: not built yet");
return 2;
