using MassTransit;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Hosting;
using Rad.Status.Queue;

namespace Rad.Status.Saga;

/// <summary>
/// Owns the order of a deployment's stages and their deadlines: first its turn among deployments of the same repository
/// and cluster, then clone and cluster provisioning side by side, then one build per application in parallel, then one
/// deploy per application once every image and the cluster are ready.
/// </summary>
public partial class DeploymentStateMachine : MassTransitStateMachine<DeploymentState>
{
    readonly TimeProvider _clock;
    readonly DeadlineOptions _deadlines;
    readonly ConcurrencyOptions _concurrency;

    readonly SealedSecrets? _secrets;

    public DeploymentStateMachine(TimeProvider clock, IOptions<DeadlineOptions> deadlines, IOptions<ConcurrencyOptions> concurrency,
        ILogger<DeploymentStateMachine> logger, SealedSecrets? secrets = null)
    {
        _clock = clock;
        _secrets = secrets;
        _deadlines = deadlines.Value;
        _concurrency = concurrency.Value;

        InstanceState(x => x.CurrentState);

        Event(() => Requested, e => e.CorrelateById(c => c.Message.DeploymentId));
        Event(() => RollbackRequested, e => e.CorrelateById(c => c.Message.DeploymentId));
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
        Event(() => BudgetRefused, ByDeployment);
        Event(() => ApplicationDeployed, ByDeployment);
        Event(() => ApplicationDeploymentFailed, ByDeployment);
        Event(() => RolloutStepped, ByDeployment);
        Event(() => ApplicationRemoved, ByDeployment);
        Event(() => ApplicationRemovalFailed, ByDeployment);
        Event(() => StageTimedOut, ByDeployment);
        Event(() => QueueFaulted, ByFaultedCommand);
        Event(() => CloneFaulted, ByFaultedCommand);
        Event(() => ClusterFaulted, ByFaultedCommand);
        Event(() => BuildFaulted, ByFaultedCommand);
        Event(() => DeployFaulted, ByFaultedCommand);
        Event(() => RemoveFaulted, ByFaultedCommand);

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
                .ThenAsync(EnterQueue)
                .TransitionTo(Queued),
            When(RollbackRequested)
                .Then(context => AcceptRollback(context.Saga, context.Message))
                .ThenAsync(EnterQueue)
                .TransitionTo(Queued));

        During(Queued,
            When(Waiting)
                .Then(context => RecordWaiting(context.Saga, context.Message)),
            When(MayStart, context => context.Saga.Rollback is null)
                .Then(context => Start(context.Saga))
                .ThenAsync(context => context.Publish(new CloneRepository(context.Saga.CorrelationId, context.Saga.Repository, context.Saga.Ref, context.Saga.ConfigPath,
                    context.Saga.RepositoryCredentials)))
                .ThenAsync(context => context.Publish(new ProvisionCluster(context.Saga.CorrelationId, context.Saga.Cluster)))
                .TransitionTo(Cloning),
            // A rollback needs no clone and no build: its image is the recorded one.
            When(MayStart, context => context.Saga.Rollback is not null)
                .Then(context => StartRollback(context.Saga))
                .ThenAsync(context => context.Publish(new ProvisionCluster(context.Saga.CorrelationId, context.Saga.Cluster)))
                .TransitionTo(Building),
            FailStage(QueueFaulted, _ => StageNames.Queue, context => WorkerCrashed("deployment queue", context.Message)),
            // Waited too long for its turn: it fails and leaves the queue, so the ones behind it move up.
            FailStage(StageTimedOut, _ => StageNames.Queue, context => QueueDeadlineMessage(context.Saga),
                context => context.Message.Stage == StageNames.Queue && context.Saga.QueueDeadline <= Now),
            // Its entry or the queue's answer may have been lost: it asks again, and the queue answers from its row.
            When(StageTimedOut, context => context.Message.Stage == StageNames.Queue && context.Saga.QueueCheckAt <= Now && !(context.Saga.QueueDeadline <= Now))
                .Then(context => ScheduleQueueCheck(context.Saga))
                .ThenAsync(EnterQueue));

        // A newer deployment replaces this one while nothing has been rolled out yet; once deploying, it runs to the end.
        During(Queued, Cloning, Building,
            When(SupersedeRequested)
                .Then(context => context.Saga.SupersededBy = context.Message.SupersededBy)
                .Then(context => context.Saga.Cancel($"superseded by deployment {context.Message.SupersededBy}", Now))
                .ThenAsync(PublishFinished)
                .TransitionTo(Superseded));

        During(Cloning,
            // Nothing is built for a push older than what runs, nor for a repository that names another repository's
            // application: it fails here, untouched.
            When(Cloned)
                .ThenAsync(RefuseOlderCommit)
                .ThenAsync(ClaimApplications)
                .IfElse(context => context.Saga.Error is not null,
                    refused => refused.ThenAsync(PublishFinished).TransitionTo(Failed),
                    claimed => claimed
                        .ThenAsync(RecordClone)
                        .ThenAsync(PublishBuilds)
                        .ThenAsync(CheckReplicaBudget)
                        .TransitionTo(Building)
                        .If(context => context.Saga.ReadyToDeploy(), ready => DeployAll(ready))),
            FailStage(CloneFailed, _ => StageNames.Clone, context => context.Message.Reason),
            FailStage(CloneFaulted, _ => StageNames.Clone, context => WorkerCrashed("cloner", context.Message)));

        During(Cloning, Building,
            When(ClusterProgressed)
                .Then(context => context.Saga.ProgressStage(StageNames.Cluster(context.Saga.Cluster), Now, _deadlines.Cluster,
                    $"phase {context.Message.Phase}, {context.Message.Elapsed.TotalSeconds:0} s elapsed")),
            When(ClusterReady)
                .Then(context => RecordCluster(context.Saga, context.Message))
                .If(context => context.Saga.ReadyToDeploy(), ready => DeployAll(ready)),
            FailStage(ClusterFailed, context => StageNames.Cluster(context.Saga.Cluster), context => context.Message.Reason),
            FailStage(ClusterFaulted, context => StageNames.Cluster(context.Saga.Cluster), context => WorkerCrashed("cluster provisioner", context.Message)));

        During(Building,
            When(ImageBuilt)
                .Then(context => RecordImage(context.Saga, context.Message))
                .If(context => context.Saga.ReadyToDeploy(), ready => DeployAll(ready)),
            FailStage(ImageBuildFailed, context => StageNames.Build(context.Message.ApplicationName), context => context.Message.Reason),
            // Its applications cannot fit the cluster's replica budget: it fails now, not after its builds. (Once deploying,
            // each rollout's own claim decides, so a late answer is dropped.)
            FailStage(BudgetRefused, context => StageNames.Deploy(context.Message.Application), context => context.Message.Reason),
            FailStage(BuildFaulted, context => StageNames.Build(context.Message.Message.Application.Name), context => WorkerCrashed("builder", context.Message)));

        // One application failing lets the others end; then the release either succeeded, or brings back what it changed.
        During(Deploying,
            When(ApplicationDeployed)
                .Then(context => RecordDeployed(context.Saga, context.Message))
                .If(context => context.Saga.AllEnded(), ended => EndRelease(ended)),
            When(ApplicationDeploymentFailed)
                .Then(context => RecordDeployFailed(context.Saga, context.Message.ApplicationName, context.Message.Reason, context.Message.Changed))
                .If(context => context.Saga.AllEnded() || !context.Saga.RollbackOnFailure, ended => EndRelease(ended)),
            When(DeployFaulted)
                .Then(context => RecordDeployFailed(context.Saga, context.Message.Message.Application.Name, WorkerCrashed("deployer", context.Message), changed: true))
                .If(context => context.Saga.AllEnded() || !context.Saga.RollbackOnFailure, ended => EndRelease(ended)),
            When(StageTimedOut, context => IsOverdue(context.Saga, context.Message.Stage) && DeployStageOf(context.Saga, context.Message.Stage) is not null)
                .Then(context => RecordDeployFailed(context.Saga, DeployStageOf(context.Saga, context.Message.Stage)!,
                    DeadlineMessage(context.Saga, context.Message.Stage), changed: true))
                .If(context => context.Saga.AllEnded() || !context.Saga.RollbackOnFailure, ended => EndRelease(ended)));

        During(Deploying, Restoring,
            When(RolloutStepped)
                .Then(context => context.Saga.RecordStep(context.Message, Now, _deadlines.Deploy)));

        During(Restoring,
            When(ApplicationDeployed)
                .Then(context => RecordRestored(context.Saga, context.Message.ApplicationName, removed: false, failure: null))
                .If(context => !context.Saga.IsRestoring(), done => EndFailed(done)),
            When(ApplicationDeploymentFailed)
                .Then(context => RecordRestored(context.Saga, context.Message.ApplicationName, removed: false, context.Message.Reason))
                .If(context => !context.Saga.IsRestoring(), done => EndFailed(done)),
            When(ApplicationRemoved)
                .Then(context => RecordRestored(context.Saga, context.Message.ApplicationName, removed: true, failure: null))
                .If(context => !context.Saga.IsRestoring(), done => EndFailed(done)),
            When(ApplicationRemovalFailed)
                .Then(context => RecordRestored(context.Saga, context.Message.ApplicationName, removed: true, context.Message.Reason))
                .If(context => !context.Saga.IsRestoring(), done => EndFailed(done)),
            When(DeployFaulted)
                .Then(context => RecordRestored(context.Saga, context.Message.Message.Application.Name, removed: false, WorkerCrashed("deployer", context.Message)))
                .If(context => !context.Saga.IsRestoring(), done => EndFailed(done)),
            When(RemoveFaulted)
                .Then(context => RecordRestored(context.Saga, context.Message.Message.ApplicationName, removed: true, WorkerCrashed("deployer", context.Message)))
                .If(context => !context.Saga.IsRestoring(), done => EndFailed(done)),
            When(StageTimedOut, context => IsOverdue(context.Saga, context.Message.Stage))
                .Then(context => RecordRestored(context.Saga, RestoreStageOf(context.Saga, context.Message.Stage) ?? "", removed: false,
                    DeadlineMessage(context.Saga, context.Message.Stage)))
                .If(context => !context.Saga.IsRestoring(), done => EndFailed(done)));

        // A queue that hands its turn to a deployment that already ended (a redelivered request) gets it back at once.
        During(Succeeded, Failed, Superseded,
            When(MayStart)
                .ThenAsync(context => context.Publish(new LeaveDeploymentQueue(context.Saga.CorrelationId, context.Saga.QueueId))));

        During(Cloning, Building,
            FailStage(StageTimedOut, context => context.Message.Stage, context => DeadlineMessage(context.Saga, context.Message.Stage),
                context => IsOverdue(context.Saga, context.Message.Stage)));

        FailOnFaultedMessages();
    }

    public State Queued { get; private set; } = null!;
    public State Cloning { get; private set; } = null!;
    public State Building { get; private set; } = null!;
    public State Deploying { get; private set; } = null!;
    public State Restoring { get; private set; } = null!;
    public State Succeeded { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State Superseded { get; private set; } = null!;

    public Event<RequestDeployment> Requested { get; private set; } = null!;
    public Event<RequestRollback> RollbackRequested { get; private set; } = null!;
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
    public Event<ReplicaBudgetRefused> BudgetRefused { get; private set; } = null!;
    public Event<ApplicationDeployed> ApplicationDeployed { get; private set; } = null!;
    public Event<ApplicationDeploymentFailed> ApplicationDeploymentFailed { get; private set; } = null!;
    public Event<ApplicationRolloutStepped> RolloutStepped { get; private set; } = null!;
    public Event<ApplicationRemoved> ApplicationRemoved { get; private set; } = null!;
    public Event<ApplicationRemovalFailed> ApplicationRemovalFailed { get; private set; } = null!;
    public Event<DeploymentStageTimedOut> StageTimedOut { get; private set; } = null!;
    public Event<Fault<EnterDeploymentQueue>> QueueFaulted { get; private set; } = null!;
    public Event<Fault<CloneRepository>> CloneFaulted { get; private set; } = null!;
    public Event<Fault<ProvisionCluster>> ClusterFaulted { get; private set; } = null!;
    public Event<Fault<BuildImage>> BuildFaulted { get; private set; } = null!;
    public Event<Fault<DeployApplication>> DeployFaulted { get; private set; } = null!;
    public Event<Fault<RemoveApplication>> RemoveFaulted { get; private set; } = null!;

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
        // A request published on the bus may carry credentials in its address: they are sealed before the saga stores
        // anything (without a key ring, as in tests on the in-memory harness, they are dropped, never kept in clear).
        var (repository, userInfo) = RepositoryCredentials.Split(request.Repository);
        saga.Repository = repository;
        saga.RepositoryCredentials = request.Credentials ?? (userInfo is null ? null : _secrets?.Seal(RepositoryCredentials.Purpose, userInfo));
        saga.Ref = request.Ref;
        saga.ConfigPath = request.ConfigPath;
        saga.Cluster = request.Cluster;
        saga.Concurrency = ConcurrencyOptions.IsValid(request.Concurrency) ? request.Concurrency! : _concurrency.Concurrency;
        saga.QueueId = DeploymentQueueKey.For(saga.Repository, request.Cluster).Id;
        saga.CreatedAt = request.RequestedAt == default ? Now : request.RequestedAt;
        saga.Trigger = request.Trigger ?? "bus";
        StartQueueDeadline(saga);
        saga.Force = request.Force;
        saga.RefuseOlderCommit = request.RefuseOlderCommit;
    }

    void AcceptRollback(DeploymentState saga, RequestRollback request)
    {
        saga.Repository = request.Repository;
        saga.Ref = request.Commit;
        saga.Commit = request.Commit;
        saga.ConfigPath = "";
        saga.Cluster = request.Cluster;
        saga.Concurrency = ConcurrencyOptions.Queue;
        saga.QueueId = DeploymentQueueKey.For(request.Repository, request.Cluster).Id;
        saga.CreatedAt = request.RequestedAt == default ? Now : request.RequestedAt;
        saga.Trigger = $"rollback by {request.RequestedBy}";
        StartQueueDeadline(saga);
        saga.Rollback = new RollbackRecord(request.TargetRevision, request.RequestedBy, request.Reason);
        saga.Applications =
        [
            new ApplicationRecord
            {
                Name = request.Application.Name, Spec = request.Application, Built = true,
                ImageReference = request.ImageReference, Image = request.ImageReference.Split('@')[0],
            },
        ];
    }

    Task EnterQueue<T>(BehaviorContext<DeploymentState, T> context) where T : class =>
        context.Publish(new EnterDeploymentQueue(context.Saga.CorrelationId, context.Saga.QueueId,
            DeploymentQueueKey.For(context.Saga.Repository, context.Saga.Cluster).Key, context.Saga.Concurrency));

    void RecordWaiting(DeploymentState saga, DeploymentWaiting waiting)
    {
        var message = $"deployment {waiting.Running} of the same repository and cluster is running; this one is number {waiting.Position} in line";
        var open = saga.Stages.FirstOrDefault(s => s.Name == StageNames.Queue && s.State == StageStates.InProgress);
        if (open is null)
            saga.StartStage(StageNames.Queue, Now, deadline: null, message);
        else
            open.Message = message;
    }

    void StartQueueDeadline(DeploymentState saga)
    {
        saga.QueueDeadline = Now + _deadlines.Queue;
        ScheduleQueueCheck(saga);
    }

    void ScheduleQueueCheck(DeploymentState saga)
    {
        var check = Now + _deadlines.QueueRecheck;
        saga.QueueCheckAt = saga.QueueDeadline is { } deadline && deadline < check ? deadline : check;
    }

    string QueueDeadlineMessage(DeploymentState saga)
    {
        var waiting = saga.Stages.FirstOrDefault(s => s.Name == StageNames.Queue && s.State == StageStates.InProgress)?.Message;
        return $"stage '{StageNames.Queue}' did not end within its deadline of {_deadlines.Queue.TotalSeconds:0} s (Rad:Deadlines:Queue): its turn in the queue of "
               + $"{DeploymentQueueKey.For(saga.Repository, saga.Cluster).Key} never came ({waiting ?? "the queue never answered"})";
    }

    void Start(DeploymentState saga)
    {
        saga.QueueCheckAt = saga.QueueDeadline = null;
        saga.CompleteStage(StageNames.Queue, Now, "the running deployment finished");
        saga.StartStage(StageNames.Clone, Now, _deadlines.Clone, $"{Redaction.Credentials(saga.Repository)} at {saga.Ref}");
        saga.StartStage(StageNames.Cluster(saga.Cluster), Now, _deadlines.Cluster);
    }

    void StartRollback(DeploymentState saga)
    {
        saga.QueueCheckAt = saga.QueueDeadline = null;
        saga.CompleteStage(StageNames.Queue, Now, "the running deployment finished");
        saga.StartStage(StageNames.Cluster(saga.Cluster), Now, _deadlines.Cluster);
    }

    /// <summary>Takes the checkout's applications; those pinned on the cluster by a rollback are left alone unless the deployment forces them.</summary>
    async Task RecordClone(BehaviorContext<DeploymentState, RepositoryCloned> context)
    {
        var (saga, cloned) = (context.Saga, context.Message);
        saga.Commit = cloned.Commit;
        saga.CommittedAt = cloned.CommittedAt;
        saga.WorkspacePath = cloned.WorkspacePath;
        saga.RegistryAddress = cloned.RegistryAddress;
        saga.RollbackOnFailure = cloned.RollbackOnFailure;
        saga.Applications = cloned.Applications.Select(a => new ApplicationRecord { Name = a.Name, Spec = a }).ToList();
        saga.CompleteStage(StageNames.Clone, Now, $"commit {cloned.Commit}, {cloned.Applications.Count} application(s)");
        var history = context.GetServiceOrCreateInstance<IReleaseHistory>();
        var pins = await history.PinsAsync(saga.Cluster, saga.Applications.Select(a => a.Name).ToList(), context.CancellationToken);
        foreach (var application in saga.Applications)
        {
            if (pins.TryGetValue(application.Name, out var pin) && saga.Force)
                saga.NewPinChanges.Add(new PinChange(saga.Cluster, application.Name, Pinned: false, saga.Trigger, "deployed with --force", saga.CorrelationId, Now));
            else if (pins.TryGetValue(application.Name, out pin))
            {
                application.Skipped = $"skipped: pinned at revision {pin.Revision} by {pin.PinnedBy} on {pin.PinnedAt:u}{(pin.Reason is null ? "" : $" ({pin.Reason})")}; " +
                                      $"rad unpin {application.Name}, or deploy with --force";
                application.Built = application.Deployed = true;
                saga.StartStage(StageNames.Deploy(application.Name), Now, deadline: null);
                saga.CompleteStage(StageNames.Deploy(application.Name), Now, application.Skipped);
                continue;
            }
            saga.StartStage(StageNames.Build(application.Name), Now, _deadlines.Build);
            if (await history.CurrentAsync(saga.Cluster, application.Name, context.CancellationToken) is { } current && RunsThisBuild(saga, application, current))
            {
                application.Built = true;
                application.ImageReference = current.Image;
                application.Image = current.Image.Split('@')[0];
                saga.CompleteStage(StageNames.Build(application.Name), Now,
                    $"{current.Image} (revision {current.Revision} already runs commit {ShortCommit(current.Commit)}: not rebuilt)");
            }
        }
    }

    /// <summary>
    /// The revision serving the application now was built from this very commit of this repository, with the same
    /// Dockerfile, context and registry: its image is what a build would make, and it is known to exist (it runs).
    /// </summary>
    static bool RunsThisBuild(DeploymentState saga, ApplicationRecord application, RevisionRecord current) =>
        current.Outcome is RevisionOutcomes.Succeeded or RevisionOutcomes.Restored
        && current.Commit == saga.Commit
        && current.Repository == Redaction.Credentials(saga.Repository)
        && current.Spec.Dockerfile == application.Spec.Dockerfile
        && current.Spec.Context == application.Spec.Context
        && saga.RegistryAddress is { } registry && current.Image.StartsWith(registry.TrimEnd('/') + "/", StringComparison.Ordinal)
        && current.Image.Contains('@', StringComparison.Ordinal);

    static string ShortCommit(string commit) => commit.Length > 12 ? commit[..12] : commit;

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
        if (application is null || application.Ended)
            return;
        application.Deployed = true;
        application.Changed = deployed.Changed;
        application.Endpoint = deployed.Endpoint;
        application.RunningReplicas = deployed.RunningReplicas;
        // The deployer reports an application deployed only after its last step ended, but a step's own report may come
        // after this one (the saga's messages are not ordered) and would then be dropped: its step ends here.
        foreach (var open in saga.Stages.Where(s => s.State == StageStates.InProgress && StageNames.IsStepOf(s.Name, deployed.ApplicationName)).ToList())
            saga.CompleteStage(open.Name, Now, open.Message is { Length: > 0 } last ? $"{last}; ended with the application" : "ended with the application");
        saga.CompleteStage(StageNames.Deploy(deployed.ApplicationName), Now,
            $"{deployed.RunningReplicas} replica(s) at {deployed.Endpoint}{(deployed.Changed ? "" : " (unchanged)")}");
        if (deployed.Changed || saga.Rollback is not null)
            saga.NewRevisions.Add(Revision(saga, application, application.Spec, application.ImageReference!, RevisionOutcomes.Succeeded,
                saga.Rollback is { } rollback ? $"rollback to revision {rollback.TargetRevision}{(rollback.Reason is null ? "" : $": {rollback.Reason}")}" : null));
    }

    void RecordDeployFailed(DeploymentState saga, string applicationName, string reason, bool changed)
    {
        var application = saga.Applications.FirstOrDefault(a => a.Name == applicationName);
        if (application is null || application.Ended)
            return;
        application.Failed = true;
        application.Changed = changed;
        saga.FailApplicationStage(StageNames.Deploy(applicationName), reason, Now);
        saga.NewRevisions.Add(Revision(saga, application, application.Spec, application.ImageReference ?? "", RevisionOutcomes.Failed, reason));
    }

    /// <summary>
    /// Every application has ended: the release succeeded (a rollback then pins its application), or it failed and the
    /// applications it changed are brought back (when rad.json allows), or it simply failed.
    /// </summary>
    EventActivityBinder<DeploymentState, T> EndRelease<T>(EventActivityBinder<DeploymentState, T> binder) where T : class =>
        binder.IfElse(context => context.Saga.ReleaseFailure is null,
            succeeded => succeeded
                .Then(context => Succeed(context.Saga))
                .ThenAsync(PublishFinished)
                .TransitionTo(Succeeded),
            failed => failed
                .ThenAsync(StartRestores)
                .IfElse(context => context.Saga.IsRestoring(),
                    restoring => restoring.TransitionTo(Restoring),
                    done => EndFailed(done)));

    EventActivityBinder<DeploymentState, T> EndFailed<T>(EventActivityBinder<DeploymentState, T> binder) where T : class =>
        binder
            .Then(context => FailRelease(context.Saga))
            .ThenAsync(PublishFinished)
            .TransitionTo(Failed);

    void Succeed(DeploymentState saga)
    {
        saga.CompletedAt = Now;
        if (saga.Rollback is { } rollback)
            saga.NewPinChanges.Add(new PinChange(saga.Cluster, saga.Applications[0].Name, Pinned: true, rollback.RequestedBy,
                rollback.Reason ?? $"rolled back to revision {rollback.TargetRevision}", saga.CorrelationId, Now));
    }

    void FailRelease(DeploymentState saga)
    {
        foreach (var open in saga.Stages.Where(s => s.State == StageStates.InProgress))
        {
            open.State = StageStates.Cancelled;
            open.CompletedAt = Now;
            open.Message = "cancelled: the release failed";
        }
        saga.Error = saga.ReleaseFailure + saga.RestoreSummary();
        saga.CompletedAt = Now;
    }

    /// <summary>Brings back what the failed release changed: the previous revision, or nothing at all when there was none.</summary>
    async Task StartRestores<T>(BehaviorContext<DeploymentState, T> context) where T : class
    {
        var saga = context.Saga;
        if (!saga.RollbackOnFailure)
            return;
        foreach (var application in saga.Applications.Where(a => a.Changed && a.Restore is null))
        {
            application.Restore = StageStates.InProgress;
            if (application.Previous is { } previous)
            {
                saga.StartStage(StageNames.Restore(application.Name), Now, _deadlines.Deploy, $"back to revision {previous.Revision} ({previous.ImageReference})");
                await context.Publish(new DeployApplication(saga.CorrelationId, saga.Cluster, saga.Network, saga.Namespace, saga.Repository, previous.Commit,
                    previous.Spec, previous.ImageReference, DeployPurposes.Restore));
            }
            else
            {
                saga.StartStage(StageNames.Remove(application.Name), Now, _deadlines.Deploy, "it had no earlier revision");
                await context.Publish(new RemoveApplication(saga.CorrelationId, saga.Cluster, saga.Network, saga.Namespace, application.Name));
            }
        }
    }

    void RecordRestored(DeploymentState saga, string applicationName, bool removed, string? failure)
    {
        var application = saga.Applications.FirstOrDefault(a => a.Name == applicationName);
        if (application is null || application.Restore != StageStates.InProgress)
            return;
        var stage = application.Previous is null ? StageNames.Remove(applicationName) : StageNames.Restore(applicationName);
        if (failure is not null)
        {
            application.Restore = StageStates.Failed;
            saga.FailApplicationStage(stage, failure, Now);
            return;
        }
        application.Restore = StageStates.Completed;
        if (application.Previous is { } previous && !removed)
        {
            saga.CompleteStage(stage, Now, $"revision {previous.Revision} serves again");
            saga.NewRevisions.Add(Revision(saga, application, previous.Spec, previous.ImageReference, RevisionOutcomes.Restored,
                $"revision {previous.Revision} restored after {saga.ReleaseFailure}") with { Commit = previous.Commit });
        }
        else
        {
            saga.CompleteStage(stage, Now, "removed");
            saga.NewRevisions.Add(Revision(saga, application, application.Spec, application.ImageReference ?? "", RevisionOutcomes.Removed,
                $"removed after {saga.ReleaseFailure}"));
        }
    }

    RevisionWrite Revision(DeploymentState saga, ApplicationRecord application, ApplicationSpec spec, string image, string outcome, string? note) =>
        new(saga.Cluster, application.Name, saga.CorrelationId, Redaction.Credentials(saga.Repository), saga.Commit ?? "", image, spec, outcome, note, Now);

    async Task PublishBuilds(BehaviorContext<DeploymentState, RepositoryCloned> context)
    {
        foreach (var application in context.Saga.Applications.Where(a => a.Skipped is null && !a.Built))
            await context.Publish(new BuildImage(context.Saga.CorrelationId, context.Saga.Repository, context.Message.Commit,
                context.Message.WorkspacePath, context.Message.RegistryAddress, application.Spec));
    }

    /// <summary>While images build, the deployer counts whether the applications to roll out fit the cluster's replica budget (it answers only a refusal).</summary>
    static async Task CheckReplicaBudget(BehaviorContext<DeploymentState, RepositoryCloned> context)
    {
        var saga = context.Saga;
        if (saga.Applications.All(a => a.Built))
            return;
        await context.Publish(new CheckReplicaBudget(saga.CorrelationId, saga.Cluster,
            saga.Applications.Where(a => a.Skipped is null).Select(a => new ReplicaAsk(a.Name, a.Spec.Replicas)).ToList()));
    }

    /// <summary>Starts every deploy at once; what runs now is remembered first, to go back to if the release fails.</summary>
    EventActivityBinder<DeploymentState, T> DeployAll<T>(EventActivityBinder<DeploymentState, T> binder) where T : class =>
        binder
            .ThenAsync(PublishDeploys)
            .TransitionTo(Deploying)
            .If(context => context.Saga.AllEnded(), ended => EndRelease(ended));

    async Task PublishDeploys<T>(BehaviorContext<DeploymentState, T> context) where T : class
    {
        var saga = context.Saga;
        var history = context.GetServiceOrCreateInstance<IReleaseHistory>();
        foreach (var application in saga.Applications.Where(a => a.Skipped is null))
        {
            if (await history.CurrentAsync(saga.Cluster, application.Name, context.CancellationToken) is { } current)
                application.Previous = new PreviousRevision(current.Revision, current.Commit, current.Image, current.Spec);
            saga.StartStage(StageNames.Deploy(application.Name), Now, _deadlines.Deploy,
                saga.Rollback is { } rollback ? $"back to revision {rollback.TargetRevision} ({application.ImageReference})" : null);
            await context.Publish(new DeployApplication(saga.CorrelationId, saga.Cluster, saga.Network, saga.Namespace, saga.Repository, saga.Commit!,
                application.Spec, application.ImageReference!, saga.Rollback is null ? DeployPurposes.Deploy : DeployPurposes.Rollback));
        }
    }

    static async Task PublishFinished<T>(BehaviorContext<DeploymentState, T> context) where T : class
    {
        await context.Publish(new DeploymentFinished(context.Saga.CorrelationId, context.Saga.Error is null, context.Saga.WorkspacePath));
        await context.Publish(new LeaveDeploymentQueue(context.Saga.CorrelationId, context.Saga.QueueId));
    }

    static string? DeployStageOf(DeploymentState saga, string stage) =>
        saga.Applications.FirstOrDefault(a => StageNames.Deploy(a.Name) == stage)?.Name;

    static string? RestoreStageOf(DeploymentState saga, string stage) =>
        saga.Applications.FirstOrDefault(a => StageNames.Restore(a.Name) == stage || StageNames.Remove(a.Name) == stage)?.Name;

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
