using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using ModelOperator.Runtime.Grpc.Inference;
using ModelOperator.Runtime.Protocol;
using ModelOperator.Runtime.Server;

namespace ModelOperator.Runtime.Grpc;

/// <summary>
/// What <c>MapGrpcService</c> maps for OIP v2 over gRPC: the methods of <see cref="GrpcInferenceService"/>, each with a
/// request decoder that answers malformed protobuf (a bad varint, a length past the end, a group, field 0, invalid
/// UTF-8 in a string, nesting past the recursion limit) with <c>INVALID_ARGUMENT</c>. The generated binding would let
/// the parser's exception reach the framework, which answers <c>UNKNOWN</c> and logs it, stack and all, at error level
/// for every such request. A type of its own (it has no generated binding), mapped instead of the service.
/// </summary>
internal sealed class GrpcInferenceMethods
{
    /// <summary>Binds each method of the generated service definition again, with its request decoder guarded.</summary>
    internal sealed class Provider(GrpcInferenceService service, ServeOptions options) : IServiceMethodProvider<GrpcInferenceMethods>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<GrpcInferenceMethods> context) =>
            GRPCInferenceService.BindService(new Binder(context, options.Limits), service);
    }

    private sealed class Binder(ServiceMethodProviderContext<GrpcInferenceMethods> context, InferRequestLimits limits) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            ArgumentNullException.ThrowIfNull(handler);
            // ModelInfer's BYTES elements are counted on the wire before protobuf makes an object of each.
            Action<DeserializationContext>? check = typeof(TRequest) == typeof(ModelInferRequest)
                ? c => GrpcWireCheck.CheckBytesElements(c.PayloadAsReadOnlySequence(), limits) : null;
            var guarded = new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, Guarded(method.RequestMarshaller, check), method.ResponseMarshaller);
            context.AddUnaryMethod(guarded, [], (_, request, call) => handler(request, call));
        }
    }

    private static Marshaller<T> Guarded<T>(Marshaller<T> marshaller, Action<DeserializationContext>? check) => Marshallers.Create(marshaller.ContextualSerializer, context =>
    {
        check?.Invoke(context);
        try
        {
            return marshaller.ContextualDeserializer(context);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Malformed(e);
        }
        catch (ArgumentException e)
        {
            // Invalid UTF-8 in a string field surfaces as the decoder's own exception.
            throw Malformed(e);
        }
    });

    private static RpcException Malformed(Exception e) =>
        new(new Status(StatusCode.InvalidArgument, ClientText.Message($"the request message is not valid protobuf: {e.Message}")));
}
