using MassTransit;
using Rad.Contracts;
using SerilogLogContext = Serilog.Context.LogContext;

namespace Rad.Hosting;

/// <summary>Puts the deployment id of every consumed message (or of the command inside a Fault) on every log line.</summary>
public sealed class DeploymentLogScopeFilter<T> : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var id = DeploymentIdOf(context.Message);
        if (id is null)
        {
            await next.Send(context);
            return;
        }
        using (SerilogLogContext.PushProperty("DeploymentId", id.Value))
            await next.Send(context);
    }

    static Guid? DeploymentIdOf(object message) => message switch
    {
        IDeploymentMessage deployment => deployment.DeploymentId,
        _ when message.GetType().GetProperty(nameof(Fault<object>.Message))?.GetValue(message) is IDeploymentMessage inner
            => inner.DeploymentId,
        _ => null,
    };

    public void Probe(ProbeContext context) => context.CreateFilterScope("deploymentLogScope");
}
