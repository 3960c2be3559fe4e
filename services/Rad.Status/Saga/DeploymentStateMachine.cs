using MassTransit;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Status.Queue;

namespace Rad.Status.Saga;

/// <summary>
/// Owns the order of a deployment's stages and their deadlines: first its turn among deployments of the same repository
/// and cluster, then clone and cluster provisioning side by side, then one build per application in parallel, then one
/// deploy per application once every image and the cluster are ready.
/// </summary>
public class DeploymentStateMachine : MassTransitStateMachine<DeploymentState>
{
    readonly TimeProvider _clock;
    readonly DeadlineOptions _deadlines;
    readonly ConcurrencyOptions _concurrency;

    public DeploymentStateMachine(TimeProvider clock, IOptions<DeadlineOptions> deadlines, IOptions<ConcurrencyOptions> concurrency,
        ILogger<DeploymentStateMachine> logger)
    {
        _clock = clock;
        _deadlines = deadlines.Value;
        _concurrency = concurrency.Value;

        InstanceState(x => x.CurrentState);

        Event(() => Requested, e => e.CorrelateById(c => c.Message.DeploymentId));
        Event(() => MayStart, ByDeployment);
        Event(() => Waiting, ByDeployment);
        Event(() => SupersedeRequested, ByDeployment);
        Event(() => Cloned, ByDeployment);
        Event(() => CloneFailed, ByDeployment);
        Event(() => ClusterReady, ByDeployment);
        Event(() => ClusterProgressed, ByDeployment);
        Event(() => ClusterFailed, ByDeployment);
        Event(() => ImageBuilt, ByDeployment);
        Event(() => ImageBuildFailed, ByDeployment);
        Event(() => ApplicationDeployed, ByDeployment);
        Event(() => ApplicationDeploymentFailed, ByDeployment);
        Event(() => StageTimedOut, ByDeployment);
        Event(() => QueueFaulted, ByFaultedCommand);
        Event(() => CloneFaulted, ByFaultedCommand);
        Event(() => ClusterFaulted, ByFaultedCommand);
        Event(() => BuildFaulted, ByFaultedCommand);
        Event(() => DeployFaulted, ByFaultedCommand);

        // A message that arrives after its stage is over (a redelivery, a late worker) is logged and dropped, never an error.
        OnUnhandledEvent(context =>
        {
            logger.LogInformation("Ignoring {Event} for deployment {DeploymentId} in state {State}",
                context.Event.Name, context.Saga.CorrelationId, context.Saga.CurrentState);
            return Task.CompletedTask;
        });
        this.ConnectEventObserver(new ProgressPublisher());

        Initially(
            When(Requested)
                .Then(context => Accept(context.Saga, context.Message))
                .ThenAsync(context => context.Publish(new EnterDeploymentQueue(context.Saga.CorrelationId, context.Saga.QueueId,
                    DeploymentQueueKey.For(context.Saga.Repository, context.Saga.Cluster).Key, context.Saga.Concurrency)))
                .TransitionTo(Queued));

        During(Queued,
            When(Waiting)
                .Then(context => RecordWaiting(context.Saga, context.Message)),
            When(MayStart)
                .Then(context => Start(context.Saga))
                .ThenAsync(context => context.Publish(new CloneRepository(context.Saga.CorrelationId, context.Saga.Repository, context.Saga.Ref, context.Saga.ConfigPath)))
                .ThenAsync(context => context.Publish(new ProvisionCluster(context.Saga.CorrelationId, context.Saga.Cluster)))
                .TransitionTo(Cloning),
            FailStage(QueueFaulted, _ => StageNames.Queue, context => WorkerCrashed("deployment queue", context.Message)));

        // A newer deployment replaces this one while nothing has been rolled out yet; once deploying, it runs to the end.
        During(Queued, Cloning, Building,
            When(SupersedeRequested)
                .Then(context => context.Saga.SupersededBy = context.Message.SupersededBy)
                .Then(context => context.Saga.Cancel($"superseded by deployment {context.Message.SupersededBy}", Now))
                .ThenAsync(PublishFinished)
                .TransitionTo(Superseded));

        During(Cloning,
            When(Cloned)
                .Then(context => RecordClone(context.Saga, context.Message))
                .ThenAsync(PublishBuilds)
                .TransitionTo(Building),
            FailStage(CloneFailed, _ => StageNames.Clone, context => context.Message.Reason),
            FailStage(CloneFaulted, _ => StageNames.Clone, context => WorkerCrashed("cloner", context.Message)));

        During(Cloning, Building,
            When(ClusterProgressed)
                .Then(context => context.Saga.ProgressStage(StageNames.Cluster(context.Saga.Cluster), Now, _deadlines.Cluster,
                    $"phase {context.Message.Phase}, {context.Message.Elapsed.TotalSeconds:0} s elapsed")),
            When(ClusterReady)
                .Then(context => RecordCluster(context.Saga, context.Message))
                .If(context => context.Saga.ReadyToDeploy(), ready => ready.ThenAsync(PublishDeploys).TransitionTo(Deploying)),
            FailStage(ClusterFailed, context => StageNames.Cluster(context.Saga.Cluster), context => context.Message.Reason),
            FailStage(ClusterFaulted, context => StageNames.Cluster(context.Saga.Cluster), context => WorkerCrashed("cluster provisioner", context.Message)));

        During(Building,
            When(ImageBuilt)
                .Then(context => RecordImage(context.Saga, context.Message))
                .If(context => context.Saga.ReadyToDeploy(), ready => ready.ThenAsync(PublishDeploys).TransitionTo(Deploying)),
            FailStage(ImageBuildFailed, context => StageNames.Build(context.Message.ApplicationName), context => context.Message.Reason),
            FailStage(BuildFaulted, context => StageNames.Build(context.Message.Message.Application.Name), context => WorkerCrashed("builder", context.Message)));

        During(Deploying,
            When(ApplicationDeployed)
                .Then(context => RecordDeployed(context.Saga, context.Message))
                .If(context => context.Saga.AllDeployed(), done => done
                    .Then(context => context.Saga.CompletedAt = Now)
                    .ThenAsync(PublishFinished)
                    .TransitionTo(Succeeded)),
            FailStage(ApplicationDeploymentFailed, context => StageNames.Deploy(context.Message.ApplicationName), context => context.Message.Reason),
            FailStage(DeployFaulted, context => StageNames.Deploy(context.Message.Message.Application.Name), context => WorkerCrashed("deployer", context.Message)));

        // A queue that hands its turn to a deployment that already ended (a redelivered request) gets it back at once.
        During(Succeeded, Failed, Superseded,
            When(MayStart)
                .ThenAsync(context => context.Publish(new LeaveDeploymentQueue(context.Saga.CorrelationId, context.Saga.QueueId))));

        During(Cloning, Building, Deploying,
            FailStage(StageTimedOut, context => context.Message.Stage, context => DeadlineMessage(context.Saga, context.Message.Stage),
                context => IsOverdue(context.Saga, context.Message.Stage)));
    }

    public State Queued { get; private set; } = null!;
    public State Cloning { get; private set; } = null!;
    public State Building { get; private set; } = null!;
    public State Deploying { get; private set; } = null!;
    public State Succeeded { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State Superseded { get; private set; } = null!;

    public Event<RequestDeployment> Requested { get; private set; } = null!;
    public Event<DeploymentMayStart> MayStart { get; private set; } = null!;
    public Event<DeploymentWaiting> Waiting { get; private set; } = null!;
    public Event<SupersedeDeployment> SupersedeRequested { get; private set; } = null!;
    public Event<RepositoryCloned> Cloned { get; private set; } = null!;
    public Event<CloneFailed> CloneFailed { get; private set; } = null!;
    public Event<ClusterReady> ClusterReady { get; private set; } = null!;
    public Event<ClusterProvisioningProgressed> ClusterProgressed { get; private set; } = null!;
    public Event<ClusterProvisioningFailed> ClusterFailed { get; private set; } = null!;
    public Event<ImageBuilt> ImageBuilt { get; private set; } = null!;
    public Event<ImageBuildFailed> ImageBuildFailed { get; private set; } = null!;
    public Event<ApplicationDeployed> ApplicationDeployed { get; private set; } = null!;
    public Event<ApplicationDeploymentFailed> ApplicationDeploymentFailed { get; private set; } = null!;
    public Event<DeploymentStageTimedOut> StageTimedOut { get; private set; } = null!;
    public Event<Fault<EnterDeploymentQueue>> QueueFaulted { get; private set; } = null!;
    public Event<Fault<CloneRepository>> CloneFaulted { get; private set; } = null!;
    public Event<Fault<ProvisionCluster>> ClusterFaulted { get; private set; } = null!;
    public Event<Fault<BuildImage>> BuildFaulted { get; private set; } = null!;
    public Event<Fault<DeployApplication>> DeployFaulted { get; private set; } = null!;

    DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>Any failure ends the deployment: the stage is marked failed with the reason, open stages are cancelled.</summary>
    EventActivityBinder<DeploymentState, T> FailStage<T>(Event<T> @event, Func<BehaviorContext<DeploymentState, T>, string> stage,
        Func<BehaviorContext<DeploymentState, T>, string> reason, StateMachineCondition<DeploymentState, T>? when = null) where T : class =>
        (when is null ? When(@event) : When(@event, when))
            .Then(context => context.Saga.Fail(stage(context), reason(context), Now))
            .ThenAsync(PublishFinished)
            .TransitionTo(Failed);

    // Events of a deployment that is unknown here (removed, or another installation's) are dropped, not faulted.
    static void ByDeployment<T>(IEventCorrelationConfigurator<DeploymentState, T> e) where T : class, IDeploymentMessage
    {
        e.CorrelateById(c => c.Message.DeploymentId);
        e.OnMissingInstance(m => m.Discard());
    }

    static void ByFaultedCommand<T>(IEventCorrelationConfigurator<DeploymentState, Fault<T>> e) where T : class, IDeploymentMessage
    {
        e.CorrelateById(c => c.Message.Message.DeploymentId);
        e.OnMissingInstance(m => m.Discard());
    }

    void Accept(DeploymentState saga, RequestDeployment request)
    {
        saga.Repository = request.Repository;
        saga.Ref = request.Ref;
        saga.ConfigPath = request.ConfigPath;
        saga.Cluster = request.Cluster;
        saga.Concurrency = ConcurrencyOptions.IsValid(request.Concurrency) ? request.Concurrency! : _concurrency.Concurrency;
        saga.QueueId = DeploymentQueueKey.For(request.Repository, request.Cluster).Id;
        saga.CreatedAt = request.RequestedAt == default ? Now : request.RequestedAt;
    }

    void RecordWaiting(DeploymentState saga, DeploymentWaiting waiting)
    {
        var message = $"deployment {waiting.Running} of the same repository and cluster is running; this one is number {waiting.Position} in line";
        var open = saga.Stages.FirstOrDefault(s => s.Name == StageNames.Queue && s.State == StageStates.InProgress);
        if (open is null)
            saga.StartStage(StageNames.Queue, Now, deadline: null, message);
        else
            open.Message = message;
    }

    void Start(DeploymentState saga)
    {
        saga.CompleteStage(StageNames.Queue, Now, "the running deployment finished");
        saga.StartStage(StageNames.Clone, Now, _deadlines.Clone, $"{Redaction.Credentials(saga.Repository)} at {saga.Ref}");
        saga.StartStage(StageNames.Cluster(saga.Cluster), Now, _deadlines.Cluster);
    }

    void RecordClone(DeploymentState saga, RepositoryCloned cloned)
    {
        saga.Commit = cloned.Commit;
        saga.WorkspacePath = cloned.WorkspacePath;
        saga.RegistryAddress = cloned.RegistryAddress;
        saga.Applications = cloned.Applications.Select(a => new ApplicationRecord { Name = a.Name, Spec = a }).ToList();
        saga.CompleteStage(StageNames.Clone, Now, $"commit {cloned.Commit}, {cloned.Applications.Count} application(s)");
        foreach (var application in saga.Applications)
            saga.StartStage(StageNames.Build(application.Name), Now, _deadlines.Build);
    }

    void RecordCluster(DeploymentState saga, ClusterReady ready)
    {
        saga.ClusterReady = true;
        saga.Network = ready.Network;
        saga.Namespace = ready.Namespace;
        var place = ready.Network is not null ? $"network {ready.Network}" : $"namespace {ready.Namespace}";
        saga.CompleteStage(StageNames.Cluster(saga.Cluster), Now, ready.Created ? $"created, {place}" : $"already running, {place}");
    }

    void RecordImage(DeploymentState saga, ImageBuilt built)
    {
        var application = saga.Applications.FirstOrDefault(a => a.Name == built.ApplicationName);
        if (application is null || application.Built)
            return;
        application.Built = true;
        application.Image = built.Image;
        application.ImageReference = $"{built.Image}@{built.Digest}";
        saga.CompleteStage(StageNames.Build(built.ApplicationName), Now,
            built.Reused ? $"{application.ImageReference} (already in the registry, not rebuilt)" : application.ImageReference);
    }

    void RecordDeployed(DeploymentState saga, ApplicationDeployed deployed)
    {
        var application = saga.Applications.FirstOrDefault(a => a.Name == deployed.ApplicationName);
        if (application is null || application.Deployed)
            return;
        application.Deployed = true;
        application.Endpoint = deployed.Endpoint;
        application.RunningReplicas = deployed.RunningReplicas;
        saga.CompleteStage(StageNames.Deploy(deployed.ApplicationName), Now,
            $"{deployed.RunningReplicas} replica(s) at {deployed.Endpoint}{(deployed.Changed ? "" : " (unchanged)")}");
    }

    async Task PublishBuilds(BehaviorContext<DeploymentState, RepositoryCloned> context)
    {
        foreach (var application in context.Saga.Applications)
            await context.Publish(new BuildImage(context.Saga.CorrelationId, context.Saga.Repository, context.Message.Commit,
                context.Message.WorkspacePath, context.Message.RegistryAddress, application.Spec));
    }

    async Task PublishDeploys(BehaviorContext<DeploymentState> context)
    {
        var saga = context.Saga;
        foreach (var application in saga.Applications)
        {
            saga.StartStage(StageNames.Deploy(application.Name), Now, _deadlines.Deploy);
            await context.Publish(new DeployApplication(saga.CorrelationId, saga.Cluster, saga.Network, saga.Namespace, saga.Repository, saga.Commit!,
                application.Spec, application.ImageReference!));
        }
    }

    static async Task PublishFinished(BehaviorContext<DeploymentState> context)
    {
        await context.Publish(new DeploymentFinished(context.Saga.CorrelationId, context.Saga.Error is null, context.Saga.WorkspacePath));
        await context.Publish(new LeaveDeploymentQueue(context.Saga.CorrelationId, context.Saga.QueueId));
    }

    bool IsOverdue(DeploymentState saga, string stage) =>
        saga.Stages.Any(s => s.Name == stage && s.State == StageStates.InProgress && s.Deadline <= Now);

    static string DeadlineMessage(DeploymentState saga, string stage)
    {
        var record = saga.Stages.First(s => s.Name == stage);
        var limit = (record.Deadline!.Value - record.StartedAt).TotalSeconds;
        return $"stage '{stage}' did not finish within its deadline of {limit:0} s; its worker may be down or stuck (see the worker's log for this deployment id)";
    }

    static string WorkerCrashed<T>(string worker, Fault<T> fault) where T : class =>
        $"the {worker} failed unexpectedly: {fault.Exceptions.FirstOrDefault()?.Message ?? "no exception recorded"}";
}
