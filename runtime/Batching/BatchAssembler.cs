using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Batching;

/// <summary>
/// Stacks requests along the first dim into one set of inputs, and splits the outputs back per request.
/// Row-major layout makes both a plain concatenation of bytes (or of BYTES elements).
/// </summary>
internal static class BatchAssembler
{
    public static long RowsOf(InferRequest request) =>
        request.Inputs.Count > 0 && request.Inputs[0].Shape.Length > 0 ? request.Inputs[0].Shape[0] : 1;

    /// <summary>True when the two requests have the same inputs with the same shapes apart from the first dim.</summary>
    public static bool CanJoin(InferRequest a, InferRequest b)
    {
        if (a.Inputs.Count != b.Inputs.Count) return false;
        var rows = -1L;
        foreach (var x in a.Inputs)
        {
            var y = b.Inputs.Find(i => i.Name == x.Name);
            if (y is null || y.Shape.Length != x.Shape.Length || x.Shape.Length == 0) return false;
            if (!x.Shape.AsSpan(1).SequenceEqual(y.Shape.AsSpan(1))) return false;
            if (rows < 0) rows = y.Shape[0];
            else if (y.Shape[0] != rows) return false;
        }
        return true;
    }

    /// <summary>The stacked inputs, in the order of the first request; the caller disposes them.</summary>
    public static List<TensorData> Concat(IReadOnlyList<InferRequest> requests)
    {
        var stacked = new List<TensorData>(requests[0].Inputs.Count);
        try
        {
            foreach (var first in requests[0].Inputs)
            {
                var parts = requests.Select(r => r.Inputs.Find(i => i.Name == first.Name)!).ToList();
                var shape = (long[])first.Shape.Clone();
                shape[0] = parts.Sum(p => p.Shape[0]);
                if (first.Datatype.IsBytes)
                {
                    stacked.Add(TensorData.FromElements(first.Name, shape, parts.SelectMany(p => p.Elements!).ToArray()));
                    continue;
                }
                var tensor = TensorData.Rent(first.Name, first.Datatype, shape);
                stacked.Add(tensor);
                var offset = 0;
                foreach (var part in parts)
                {
                    part.Bytes.CopyTo(tensor.Bytes[offset..]);
                    offset += part.ByteLength;
                }
            }
            return stacked;
        }
        catch
        {
            foreach (var t in stacked) t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Cuts each output into one slice per request, keeping the outputs each request asked for;
    /// null when an output's first dim is not the total number of rows (the model does not batch that way).
    /// </summary>
    public static TensorData[][]? Split(IReadOnlyList<TensorData> outputs, IReadOnlyList<InferRequest> requests)
    {
        var total = requests.Sum(RowsOf);
        if (outputs.Any(o => o.Shape.Length == 0 || o.Shape[0] != total)) return null;
        var result = new TensorData[requests.Count][];
        var row = 0L;
        for (var r = 0; r < requests.Count; r++)
        {
            var rows = RowsOf(requests[r]);
            var wanted = requests[r].Outputs;
            result[r] = new TensorData[wanted.Count];
            for (var o = 0; o < wanted.Count; o++)
                result[r][o] = Slice(outputs.First(t => t.Name == wanted[o].Name), row, rows, total);
            row += rows;
        }
        return result;
    }

    private static TensorData Slice(TensorData output, long firstRow, long rows, long totalRows)
    {
        var shape = (long[])output.Shape.Clone();
        shape[0] = rows;
        if (output.Datatype.IsBytes)
        {
            var perRow = output.Elements!.Length / totalRows;
            return TensorData.FromElements(output.Name, shape, output.Elements.AsSpan((int)(firstRow * perRow), (int)(rows * perRow)).ToArray());
        }
        var rowBytes = output.ByteLength / totalRows;
        var slice = TensorData.Rent(output.Name, output.Datatype, shape);
        output.Bytes.Slice((int)(firstRow * rowBytes), (int)(rows * rowBytes)).CopyTo(slice.Bytes);
        return slice;
    }
}
