namespace ModelOperator.Runtime.Packaging;

/// <summary>Reports the bytes of one blob moving to or from a registry.</summary>
internal interface ITransferProgress
{
    void Advance(long bytes);
}

/// <summary>Makes a progress reporter per blob: a bar on a terminal, log lines otherwise.</summary>
internal interface IProgressFactory
{
    ITransferProgress Start(string verb, OciDescriptor blob);

    void Finish(ITransferProgress progress);
}

/// <summary>Reports nothing; for library callers and tests.</summary>
internal sealed class NoProgress : IProgressFactory, ITransferProgress
{
    public static readonly NoProgress Instance = new();

    public ITransferProgress Start(string verb, OciDescriptor blob) => this;

    public void Finish(ITransferProgress progress) { }

    public void Advance(long bytes) { }
}
