using MassTransit;
using Rad.Contracts;

namespace Rad.Status.Saga;

/// <summary>
/// Turns a message that failed at the deployment saga every time (a poison message, or an outage longer than the outage
/// retry) into the failure of its deployment, at once and with the reason. Without it such a message went to the error
/// queue and its deployment waited for the stage deadline, or, for a request, never came to exist. Faults of these two
/// answers are not consumed here, so a deployment whose every message fails ends in the error queue, not in a loop.
/// </summary>
public sealed class SagaFaultConsumer(ILogger<SagaFaultConsumer> logger) :
    IConsumer<Fault<RequestDeployment>>, IConsumer<Fault<RequestRollback>>,
    IConsumer<Fault<DeploymentMayStart>>, IConsumer<Fault<DeploymentWaiting>>, IConsumer<Fault<SupersedeDeployment>>,
    IConsumer<Fault<RepositoryCloned>>, IConsumer<Fault<CloneFailed>>,
    IConsumer<Fault<ClusterReady>>, IConsumer<Fault<ClusterProvisioningProgressed>>, IConsumer<Fault<ClusterProvisioningFailed>>,
    IConsumer<Fault<ImageBuilt>>, IConsumer<Fault<ImageBuildFailed>>,
    IConsumer<Fault<ApplicationDeployed>>, IConsumer<Fault<ApplicationDeploymentFailed>>, IConsumer<Fault<ApplicationRolloutStepped>>,
    IConsumer<Fault<ApplicationRemoved>>, IConsumer<Fault<ApplicationRemovalFailed>>,
    IConsumer<Fault<DeploymentStageTimedOut>>
{
    const int MaxShown = 300;
    static readonly string SagaQueue = KebabCaseEndpointNameFormatter.Instance.Saga<DeploymentState>();

    public Task Consume(ConsumeContext<Fault<RequestDeployment>> context)
    {
        var request = context.Message.Message;
        return RequestFaulted(context, request.DeploymentId, request with
        {
            Repository = Shown(request.Repository), Ref = Shown(request.Ref), ConfigPath = Shown(request.ConfigPath), Cluster = Shown(request.Cluster),
            Concurrency = request.Concurrency is null ? null : Shown(request.Concurrency), Trigger = request.Trigger is null ? null : Shown(request.Trigger),
        });
    }

    public Task Consume(ConsumeContext<Fault<RequestRollback>> context)
    {
        var rollback = context.Message.Message;
        return RequestFaulted(context, rollback.DeploymentId, new RequestDeployment(rollback.DeploymentId, Shown(rollback.Repository), Shown(rollback.Commit), "",
            Shown(rollback.Cluster), rollback.RequestedAt, ConcurrencyOptions.Queue, $"rollback by {Shown(rollback.RequestedBy)}"));
    }

    public Task Consume(ConsumeContext<Fault<DeploymentMayStart>> context) => Faulted(context, StageNames.Queue, null);
    public Task Consume(ConsumeContext<Fault<DeploymentWaiting>> context) => Faulted(context, StageNames.Queue, null);
    public Task Consume(ConsumeContext<Fault<SupersedeDeployment>> context) => Faulted(context, null, null);
    public Task Consume(ConsumeContext<Fault<RepositoryCloned>> context) => Faulted(context, StageNames.Clone, null);
    public Task Consume(ConsumeContext<Fault<CloneFailed>> context) => Faulted(context, StageNames.Clone, null);
    public Task Consume(ConsumeContext<Fault<ClusterReady>> context) => Faulted(context, null, null);
    public Task Consume(ConsumeContext<Fault<ClusterProvisioningProgressed>> context) => Faulted(context, null, null);
    public Task Consume(ConsumeContext<Fault<ClusterProvisioningFailed>> context) => Faulted(context, null, null);
    public Task Consume(ConsumeContext<Fault<ImageBuilt>> context) => Faulted(context, Build(context.Message.Message.ApplicationName), context.Message.Message.ApplicationName);
    public Task Consume(ConsumeContext<Fault<ImageBuildFailed>> context) => Faulted(context, Build(context.Message.Message.ApplicationName), context.Message.Message.ApplicationName);
    public Task Consume(ConsumeContext<Fault<ApplicationDeployed>> context) => Faulted(context, Deploy(context.Message.Message.ApplicationName), context.Message.Message.ApplicationName);
    public Task Consume(ConsumeContext<Fault<ApplicationDeploymentFailed>> context) => Faulted(context, Deploy(context.Message.Message.ApplicationName), context.Message.Message.ApplicationName);
    public Task Consume(ConsumeContext<Fault<ApplicationRolloutStepped>> context) => Faulted(context, Deploy(context.Message.Message.ApplicationName), context.Message.Message.ApplicationName);
    public Task Consume(ConsumeContext<Fault<ApplicationRemoved>> context) => Faulted(context, null, context.Message.Message.ApplicationName);
    public Task Consume(ConsumeContext<Fault<ApplicationRemovalFailed>> context) => Faulted(context, null, context.Message.Message.ApplicationName);
    public Task Consume(ConsumeContext<Fault<DeploymentStageTimedOut>> context) => Faulted(context, context.Message.Message.Stage, null);

    async Task RequestFaulted<T>(ConsumeContext<Fault<T>> context, Guid id, RequestDeployment request) where T : class
    {
        if (!FromSaga(context))
            return;
        var reason = Reason(context);
        logger.LogWarning("The request of deployment {DeploymentId} failed at the saga and went to the error queue; the deployment is recorded failed: {Reason}", id, reason);
        await context.Publish(new DeploymentRequestFaulted(id, request, reason));
    }

    async Task Faulted<T>(ConsumeContext<Fault<T>> context, string? stage, string? application) where T : class, IDeploymentMessage
    {
        if (!FromSaga(context))
            return;
        var id = context.Message.Message.DeploymentId;
        var reason = Reason(context);
        logger.LogWarning("{MessageType} of deployment {DeploymentId} failed at the saga and went to the error queue; the deployment fails: {Reason}",
            typeof(T).Name, id, reason);
        await context.Publish(new DeploymentMessageFaulted(id, typeof(T).Name, stage is null ? null : Shown(stage), application is null ? null : Shown(application), reason));
    }

    // Fault<T> goes to every subscriber of it; only the saga's own failures are the saga's business.
    static bool FromSaga<T>(ConsumeContext<Fault<T>> context) where T : class =>
        context.SourceAddress?.AbsolutePath.TrimEnd('/').EndsWith("/" + SagaQueue, StringComparison.Ordinal) == true;

    static string Reason<T>(ConsumeContext<Fault<T>> context) where T : class
    {
        var exception = context.Message.Exceptions.FirstOrDefault();
        // The state machine wraps what its activity threw (EventExecutionException): the innermost exception is the reason.
        while (exception?.InnerException is { } inner)
            exception = inner;
        var what = exception is null ? "no exception recorded" : $"{exception.ExceptionType.Split('.')[^1]}: {exception.Message}";
        return $"RAD could not handle {typeof(T).Name} for this deployment (it failed every time it was tried and was moved to the {SagaQueue}_error queue): " +
               Excerpt.Of(Redaction.Credentials(what), MaxShown);
    }

    static string Build(string? application) => StageNames.Build(Shown(application ?? ""));
    static string Deploy(string? application) => StageNames.Deploy(Shown(application ?? ""));
    static string Shown(string? text) => Excerpt.Of(text ?? "", MaxShown);
}
