using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Store.NodeCache;

/// <summary>Counts the blob bytes a pull downloads (the bytes a pod pulled from the registry), passing progress on.</summary>
internal sealed class CountingProgress(IProgressFactory inner) : IProgressFactory
{
    private long _bytes;

    public long Bytes => Interlocked.Read(ref _bytes);

    public ITransferProgress Start(string verb, OciDescriptor blob) => new Counted(this, inner.Start(verb, blob));

    public void Finish(ITransferProgress progress) => inner.Finish(((Counted)progress).Inner);

    private sealed class Counted(CountingProgress owner, ITransferProgress inner) : ITransferProgress
    {
        public ITransferProgress Inner => inner;

        public void Advance(long bytes)
        {
            Interlocked.Add(ref owner._bytes, bytes);
            inner.Advance(bytes);
        }
    }
}
