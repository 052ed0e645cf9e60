using System.Text.Json.Nodes;

namespace ModelOperator.KubeDouble.Http;

/// <summary>Kubernetes meta/v1 Status bodies.</summary>
internal static class StatusBody
{
    public static JsonObject Failure(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(),
            ["status"] = "Failure", ["message"] = message, ["reason"] = reason,
        };
        if (details is not null) status["details"] = details;
        status["code"] = code;
        return status;
    }

    public static JsonObject Success(JsonObject? details = null)
    {
        var status = new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success" };
        if (details is not null) status["details"] = details;
        return status;
    }
}
