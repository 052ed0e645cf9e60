Console.Error.WriteLine("kube-double: not built yet");
return 2;
