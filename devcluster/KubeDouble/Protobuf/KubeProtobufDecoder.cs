using System.Text;
using System.Text.Json.Nodes;

namespace ModelOperator.KubeDouble.Protobuf;

/// <summary>
/// Decodes the Kubernetes protobuf envelope (<c>k8s\0</c> + runtime.Unknown) for the few kinds kubectl's typed
/// generators create (<c>kubectl create namespace|configmap|secret</c>), and DeleteOptions: their ObjectMeta (name, generateName,
/// namespace, labels, annotations, finalizers) and payload. Other kinds are refused by the caller with 415.
/// </summary>
internal static class KubeProtobufDecoder
{
    private static readonly byte[] Magic = [(byte)'k', (byte)'8', (byte)'s', 0];

    public static JsonObject? TryDecode(byte[] body)
    {
        if (body.Length < 4 || !body.AsSpan(0, 4).SequenceEqual(Magic)) return null;
        string apiVersion = "", kind = "";
        ReadOnlyMemory<byte> raw = default;
        foreach (var field in ProtoReader.Fields(body.AsMemory(4)))
        {
            if (field.Number == 1)
                foreach (var t in ProtoReader.Fields(field.Bytes))
                {
                    if (t.Number == 1) apiVersion = ProtoReader.Text(t);
                    else if (t.Number == 2) kind = ProtoReader.Text(t);
                }
            else if (field.Number == 2) raw = field.Bytes;
        }
        var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        switch (apiVersion, kind)
        {
            case ("v1", "Namespace"):
                foreach (var f in ProtoReader.Fields(raw))
                    if (f.Number == 1) obj["metadata"] = Metadata(f.Bytes);
                return obj;
            case ("v1", "ConfigMap"):
                foreach (var f in ProtoReader.Fields(raw))
                {
                    if (f.Number == 1) obj["metadata"] = Metadata(f.Bytes);
                    else if (f.Number == 2) AddEntry(obj, "data", f, base64: false);
                    else if (f.Number == 3) AddEntry(obj, "binaryData", f, base64: true);
                    else if (f.Number == 4) obj["immutable"] = f.Varint != 0;
                }
                return obj;
            case ("v1", "Secret"):
                foreach (var f in ProtoReader.Fields(raw))
                {
                    if (f.Number == 1) obj["metadata"] = Metadata(f.Bytes);
                    else if (f.Number == 2) AddEntry(obj, "data", f, base64: true);
                    else if (f.Number == 3) obj["type"] = ProtoReader.Text(f);
                    else if (f.Number == 4) AddEntry(obj, "stringData", f, base64: false);
                    else if (f.Number == 5) obj["immutable"] = f.Varint != 0;
                }
                return obj;
            case (_, "DeleteOptions"):
                // client-go's typed clients (helm's release storage among them) send delete options as protobuf.
                foreach (var f in ProtoReader.Fields(raw))
                {
                    if (f.Number == 1) obj["gracePeriodSeconds"] = (long)f.Varint;
                    else if (f.Number == 2) obj["preconditions"] = Preconditions(f.Bytes);
                    else if (f.Number == 3) obj["orphanDependents"] = f.Varint != 0;
                    else if (f.Number == 4) obj["propagationPolicy"] = ProtoReader.Text(f);
                    else if (f.Number == 5) (obj["dryRun"] as JsonArray ?? (JsonArray)(obj["dryRun"] = new JsonArray())).Add(ProtoReader.Text(f));
                }
                return obj;
            default:
                return null;
        }
    }

    private static JsonObject Preconditions(ReadOnlyMemory<byte> bytes)
    {
        var preconditions = new JsonObject();
        foreach (var f in ProtoReader.Fields(bytes))
        {
            if (f.Number == 1) preconditions["uid"] = ProtoReader.Text(f);
            else if (f.Number == 2) preconditions["resourceVersion"] = ProtoReader.Text(f);
        }
        return preconditions;
    }

    private static JsonObject Metadata(ReadOnlyMemory<byte> bytes)
    {
        var meta = new JsonObject();
        foreach (var f in ProtoReader.Fields(bytes))
        {
            switch (f.Number)
            {
                case 1: meta["name"] = ProtoReader.Text(f); break;
                case 2: meta["generateName"] = ProtoReader.Text(f); break;
                case 3: meta["namespace"] = ProtoReader.Text(f); break;
                case 11: AddEntry(meta, "labels", f, base64: false); break;
                case 12: AddEntry(meta, "annotations", f, base64: false); break;
                case 14: (meta["finalizers"] as JsonArray ?? (JsonArray)(meta["finalizers"] = new JsonArray())).Add(ProtoReader.Text(f)); break;
            }
        }
        return meta;
    }

    private static void AddEntry(JsonObject target, string field, ProtoReader.Field entry, bool base64)
    {
        var (key, value) = ProtoReader.Entry(entry);
        var map = target[field] as JsonObject ?? (JsonObject)(target[field] = new JsonObject());
        map[key] = base64 ? Convert.ToBase64String(value.Span) : Encoding.UTF8.GetString(value.Span);
    }
}
