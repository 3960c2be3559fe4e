using System.Diagnostics;
using System.Globalization;
using Docker.DotNet;
using MassTransit;
using Rad.Contracts;
using Rad.Docker;

namespace Rad.Clusters.Swarm;

/// <summary>
/// One deployment of one application on the local Swarm. An application runs as up to two slots (Swarm services NAME
/// and NAME_b); the edge weighs traffic between them by their rad.traffic labels. A new version goes into the slot that
/// takes no traffic, must pass its health check there (RAD's probes and HAProxy's), and then takes the traffic by the
/// strategy: all at once (rolling, blue-green, recreate after stopping the old set) or step by step (canary). A slot
/// that already runs exactly the target only needs the switch; one that serves it with all the traffic needs nothing.
/// </summary>
sealed class SwarmRollout(DeployApplication command, IRolloutProgress progress, SwarmSlotServices services, SwarmEdge edge,
    DeployerOptions options, ILogger logger)
{
    readonly ApplicationSpec _app = command.Application;
    readonly RolloutPolicy _policy = SwarmServiceSpec.Policy(command);
    readonly HealthCheck _health = SwarmServiceSpec.Health(command);
    IReadOnlyList<SwarmSlot> _slots = [];
    SwarmSlot? _live;
    SwarmSlot? _target;
    string _slot = SwarmSlot.A;
    bool _started;
    bool _stoppedLive;
    bool _sharesMoved;
    bool _switched;

    string Network => command.Network ?? throw new DeploymentFailedException("the deployment names no Swarm network; the cluster stage did not run");
    string Service => SwarmSlot.ServiceNameOf(_app.Name, _slot);
    bool Recreate => _policy.Strategy == RolloutPolicy.Recreate;

    /// <summary>Reads the slots and decides; when no slot holds the port yet, starts the new one now, under the caller's port lock.</summary>
    public async Task PlanAsync(CancellationToken token)
    {
        _slots = await services.ListAsync(_app.Name, token);
        _live = _slots.Where(s => s.Traffic > 0).OrderByDescending(s => s.Traffic).ThenBy(s => s.Slot, StringComparer.Ordinal).FirstOrDefault();
        _target = _slots.Where(s => SwarmServiceSpec.Matches(s, command)).OrderByDescending(s => s.Traffic).FirstOrDefault();
        if (_target is not null)
        {
            _slot = _target.Slot;
            return;
        }
        _slot = _live is not null ? SwarmSlot.Other(_live.Slot)
            : _slots.Any(s => s.Slot == SwarmSlot.A) && _slots.All(s => s.Slot != SwarmSlot.B) ? SwarmSlot.B : SwarmSlot.A;
        if (_slots.All(s => s.Port != _app.Port))
        {
            try
            {
                await StartNewSlotAsync(token);
            }
            catch (Exception e) when (IsRolloutFailure(e, token))
            {
                throw await FailAsync(e);
            }
        }
    }

    public async Task<DeployResult> RunAsync(CancellationToken token)
    {
        try
        {
            if (_target is not null && _target == _live && _live.Traffic == 100 && _slots.All(s => s == _live || s.Traffic == 0))
                return await ConfirmAsync(_live, token);
            if (_target is not null)
                return await SwitchToTargetAsync(_target, token);
            if (!_started)
                await StartNewSlotAsync(token);
            return await RollOutAsync(token);
        }
        catch (Exception e) when (IsRolloutFailure(e, token))
        {
            throw await FailAsync(e);
        }
    }

    static bool IsRolloutFailure(Exception e, CancellationToken token) =>
        e is DeploymentFailedException or DockerApiException or RequestTimeoutException or RequestFaultException
        || e is OperationCanceledException && !token.IsCancellationRequested;

    /// <summary>Undoes what this rollout started and says whether what served the application had been changed anyway.</summary>
    async Task<DeploymentFailedException> FailAsync(Exception e)
    {
        // Once the new version took all the traffic there is nothing to undo: it serves, the old set is being retired.
        if (!_switched)
            await UndoAsync();
        var changed = _stoppedLive || _switched;
        return e switch
        {
            DeploymentFailedException failed => new DeploymentFailedException(failed.Message, changed),
            OperationCanceledException => new DeploymentFailedException($"{_app.Name}: a step of the rollout did not finish in time", changed),
            _ => new DeploymentFailedException($"{_app.Name}: {e.Message}", changed),
        };
    }

    /// <summary>The live slot already serves exactly this with all the traffic: nothing rolls out; its replicas and routes are confirmed.</summary>
    async Task<DeployResult> ConfirmAsync(SwarmSlot live, CancellationToken token)
    {
        logger.LogInformation("Service {Service} already runs {Image} with {Replicas} replica(s); nothing to roll out for deployment {DeploymentId}",
            live.ServiceName, command.ImageReference, _app.Replicas, command.DeploymentId);
        var tasks = await ReplicasAsync(live.ServiceName, token);
        if (await ValidateAsync(tasks, successes: 1, token) is { } problem)
            throw new DeploymentFailedException($"{_app.Name}: {problem}");
        if (live.Strategy != _policy.Strategy)
            await services.RelabelAsync(live.ServiceName, new Dictionary<string, string?> { [SwarmSlot.StrategyLabel] = _policy.Strategy }, token);
        // A slot without traffic and without a time to retire is what an interrupted rollout left behind.
        foreach (var leftover in _slots.Where(s => s != live && s.Traffic == 0 && s.RetireAfter is null))
            await services.RemoveAsync(leftover.ServiceName, token);
        await WaitForEdgeAsync(tasks, "the edge does not route to them", token);
        return Result(tasks, changed: false);
    }

    /// <summary>A slot still runs exactly the target (a blue-green previous set within keep_previous): a quick check, then only the switch.</summary>
    async Task<DeployResult> SwitchToTargetAsync(SwarmSlot target, CancellationToken token)
    {
        var tasks = await ReplicasAsync(target.ServiceName, token);
        await progress.StepAsync("validate", StageStates.InProgress, $"{tasks.Count} replica(s) of {target.ServiceName} still run this version: one check each");
        await ValidateStepAsync(tasks, successes: 1, token);
        await SwitchAsync(tasks, token);
        await RetirePreviousAsync(token);
        return Result(tasks, changed: true);
    }

    async Task<DeployResult> RollOutAsync(CancellationToken token)
    {
        var tasks = await ReplicasAsync(Service, token);
        await progress.StepAsync("validate", StageStates.InProgress,
            $"{ReplicaValidation.Describe(_health)}, {_health.Successes} time(s) in a row on each of {tasks.Count} new replica(s)");
        await ValidateStepAsync(tasks, _health.Successes, token);
        if (_policy.Strategy == RolloutPolicy.CanaryStrategy)
            await CanaryAsync(tasks, token);
        else
            await SwitchAsync(tasks, token);
        await RetirePreviousAsync(token);
        return Result(tasks, changed: true);
    }

    /// <summary>Starts the new version in the slot that takes no traffic; recreate first stops the old set (downtime is the point).</summary>
    async Task StartNewSlotAsync(CancellationToken token)
    {
        if (Recreate && _live is not null && _live.Replicas > 0)
        {
            await progress.StepAsync("stop previous", StageStates.InProgress, $"stopping {_live.Replicas} replica(s) of {_live.ServiceName}");
            _stoppedLive = true;
            await Within(options.RolloutTimeout, $"{_live.ServiceName}'s tasks did not stop", t => services.StopAsync(_live.ServiceName, t), token);
            await progress.StepAsync("stop previous", StageStates.Completed, $"{_live.ServiceName} stopped");
        }
        _started = true;
        await services.CreateOrUpdateAsync(command, _slot, traffic: 0, token);
    }

    async Task<IReadOnlyList<RunningTask>> ReplicasAsync(string service, CancellationToken token) =>
        await Within(options.RolloutTimeout, $"{_app.Name} did not reach {_app.Replicas} running replica(s) of {command.ImageReference} within {options.RolloutTimeout.TotalSeconds:0} s",
            t => services.WaitForReplicasAsync(_app.Name, service, command.ImageReference, _app.Replicas, Network, t), token);

    /// <summary>
    /// RAD's probes (every replica, <paramref name="successes"/> times in a row) and HAProxy's own check, which must see
    /// each UP. Both run at once, since each takes its own time (HAProxy first has to learn of the new tasks); the edge
    /// gets <see cref="EdgeCheckLimit"/> from when RAD's probes passed.
    /// </summary>
    async Task ValidateStepAsync(IReadOnlyList<RunningTask> tasks, int successes, CancellationToken token)
    {
        var watch = Stopwatch.StartNew();
        var addresses = Addresses(tasks);
        using var edgeLimit = CancellationTokenSource.CreateLinkedTokenSource(token);
        var edgeCheck = edge.WaitAsync(command, s => s.Servers.Where(x => addresses.Contains(x.Address)).Count(SwarmEdge.CheckedUp) == addresses.Count,
            TimeSpan.MaxValue, edgeLimit.Token);
        string? problem;
        var probed = TimeSpan.Zero;
        try
        {
            problem = await ValidateAsync(tasks, successes, token);
            probed = watch.Elapsed;
            if (problem is null)
            {
                edgeLimit.CancelAfter(EdgeCheckLimit);
                var (up, last) = await EdgeCheckedAsync(edgeCheck, token);
                if (!up)
                    problem = $"{ReplicaValidation.Describe(_health)}: the edge's health check sees {NotCheckedUp(last, addresses)} after {EdgeCheckLimit.TotalSeconds:0} s";
            }
        }
        finally
        {
            await edgeLimit.CancelAsync();
            await ((Task)edgeCheck).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        if (problem is not null)
        {
            var message = $"validate[{_app.Name}]: {problem}";
            await progress.StepAsync("validate", StageStates.Failed, message);
            throw new DeploymentFailedException(message);
        }
        logger.LogInformation("{Application}: {Replicas} new replica(s) passed the health check and the edge's in {ValidateMs:0} ms (RAD's probes: {ProbeMs:0} ms) for deployment {DeploymentId}",
            _app.Name, tasks.Count, watch.Elapsed.TotalMilliseconds, probed.TotalMilliseconds, command.DeploymentId);
        await progress.StepAsync("validate", StageStates.Completed, $"{tasks.Count} replica(s) healthy, checked UP by the edge, after {Seconds(watch.Elapsed)}");
    }

    /// <summary>What the edge's wait saw; when its limit cut it short, what the edge sees now.</summary>
    async Task<(bool Up, EdgeStats Last)> EdgeCheckedAsync(Task<(bool Done, EdgeStats Last)> check, CancellationToken token)
    {
        try
        {
            return await check;
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            return (false, await edge.StatsAsync(command, token));
        }
    }

    async Task<string?> ValidateAsync(IReadOnlyList<RunningTask> tasks, int successes, CancellationToken token)
    {
        var known = await services.FailedTaskIdsAsync(Service, token);
        return await ReplicaValidation.RunAsync(tasks, _app.ContainerPort, _health, successes,
            options.ValidationTimeout + _health.Interval * successes,
            t => services.ThrowIfFailingAsync(_app.Name, Service, command.ImageReference, known, t), token);
    }

    /// <summary>All traffic to the new slot at once; done when the edge sends nothing more to any other slot.</summary>
    async Task SwitchAsync(IReadOnlyList<RunningTask> tasks, CancellationToken token)
    {
        await progress.StepAsync("switch", StageStates.InProgress, $"all traffic to {Service}");
        var watch = Stopwatch.StartNew();
        await SetSharesAsync(100, token);
        await WaitForEdgeAsync(tasks, "the edge did not switch to them", token);
        _switched = true;
        var elapsed = watch.Elapsed;
        logger.LogInformation("{Application}: the edge routes only the new tasks {SwitchMs:0} ms after the switch began, for deployment {DeploymentId}",
            _app.Name, elapsed.TotalMilliseconds, command.DeploymentId);
        await progress.StepAsync("switch", StageStates.Completed, $"the edge routes only the new tasks after {elapsed.TotalMilliseconds:0} ms");
    }

    /// <summary>Canary: the new slot's share rises step by step; after each pause HAProxy's counters for its servers must show few errors.</summary>
    async Task CanaryAsync(IReadOnlyList<RunningTask> tasks, CancellationToken token)
    {
        var canary = _policy.Canary ?? new CanaryPolicy([10, 50, 100], TimeSpan.FromSeconds(30), 0.01);
        var addresses = Addresses(tasks);
        foreach (var percent in canary.Steps)
        {
            var step = $"shift traffic {percent}%";
            await progress.StepAsync(step, StageStates.InProgress, $"{percent}% of the traffic to the new version for {Duration.Format(canary.Pause)}");
            await SetSharesAsync(percent, token);
            await WaitForSharesAsync(addresses, percent, token);
            var before = await edge.ReadAsync(command, token);
            var watch = Stopwatch.StartNew();
            var after = before;
            do
            {
                var left = canary.Pause - watch.Elapsed;
                if (left > TimeSpan.Zero)
                    await Task.Delay(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), token);
                after = await edge.ReadAsync(command, token);
                if (after.Servers.FirstOrDefault(s => addresses.Contains(s.Address) && !s.Status.StartsWith("UP", StringComparison.Ordinal)) is { } down)
                    await FailCanaryAsync(step, $"canary[{_app.Name}] at {percent}%: the edge's health check sees {SwarmEdge.Describe(down)}");
            }
            while (watch.Elapsed < canary.Pause);
            var (errors, requests) = Measure(before, after, addresses);
            var rate = requests == 0 ? 0 : (double)errors / requests;
            var measured = $"error rate {Rate(rate)} ({errors} of {requests} requests) over {Seconds(watch.Elapsed)}";
            logger.LogInformation("{Application}: canary at {Percent}%: {Measured} for deployment {DeploymentId}", _app.Name, percent, measured, command.DeploymentId);
            if (rate > canary.MaxErrorRate)
                await FailCanaryAsync(step, $"canary[{_app.Name}] at {percent}%: {measured} exceeds {Rate(canary.MaxErrorRate)}");
            await progress.StepAsync(step, StageStates.Completed, measured);
        }
        _switched = true;
    }

    async Task FailCanaryAsync(string step, string message)
    {
        await progress.StepAsync(step, StageStates.Failed, message);
        throw new DeploymentFailedException(message);
    }

    /// <summary>Errors (5xx, failed connections, broken responses) and requests at the canary's servers between two readings.</summary>
    static (long Errors, long Requests) Measure(EdgeStats before, EdgeStats after, IReadOnlyList<string> addresses)
    {
        // A reload of HAProxy (another application changed) starts its counters again: count from that start then.
        var restarted = before.Generation != after.Generation;
        long errors = 0, requests = 0;
        foreach (var server in after.Servers.Where(s => addresses.Contains(s.Address)))
        {
            var earlier = restarted ? null : before.Servers.FirstOrDefault(s => s.Address == server.Address);
            errors += server.ServerErrors + server.ConnectionErrors + server.ResponseErrors
                      - (earlier is null ? 0 : earlier.ServerErrors + earlier.ConnectionErrors + earlier.ResponseErrors);
            requests += server.Requests + server.ConnectionErrors - (earlier is null ? 0 : earlier.Requests + earlier.ConnectionErrors);
        }
        return (errors, Math.Max(requests, errors));
    }

    /// <summary>
    /// Gives the new slot <paramref name="percent"/> of the traffic and the live one the rest. The new slot's share grows
    /// before the old one's shrinks, so the edge never sees both at zero.
    /// </summary>
    async Task SetSharesAsync(int percent, CancellationToken token)
    {
        _sharesMoved = true;
        await services.RelabelAsync(Service, new Dictionary<string, string?>
        {
            [SwarmSlot.TrafficLabel] = percent.ToString(CultureInfo.InvariantCulture),
            [SwarmSlot.StrategyLabel] = _policy.Strategy,
            [SwarmSlot.RetireAfterLabel] = null,
            ["rad.commit"] = command.Commit,
            ["rad.deployment"] = command.DeploymentId.ToString(),
        }, token);
        foreach (var other in _slots.Where(s => s.Slot != _slot))
        {
            var keep = percent == 100 && other == _live && _policy.Strategy == RolloutPolicy.BlueGreen && _policy.KeepPrevious > TimeSpan.Zero;
            await services.RelabelAsync(other.ServiceName, new Dictionary<string, string?>
            {
                [SwarmSlot.TrafficLabel] = other == _live ? (100 - percent).ToString(CultureInfo.InvariantCulture) : "0",
                [SwarmSlot.RetireAfterLabel] = keep ? RolloutPolicy.FormatKeptUntil(DateTimeOffset.UtcNow + _policy.KeepPrevious) : null,
            }, token);
        }
    }

    async Task WaitForSharesAsync(IReadOnlyList<string> addresses, int percent, CancellationToken token)
    {
        // The new servers weigh something, the live slot's too until 100%, any other none.
        bool Settled(EdgeServerStats x) => addresses.Contains(x.Address) || (percent < 100 && x.Slot == _live?.Slot) ? x.Weight > 0 : x.Weight == 0;
        var (done, _) = await edge.WaitAsync(command, s =>
            s.Servers.Count(x => addresses.Contains(x.Address)) == addresses.Count && s.Servers.All(Settled), options.EdgeTimeout, token);
        if (!done)
            throw new DeploymentFailedException($"{_app.Name}: the edge did not take the weights for {percent}% within {options.EdgeTimeout.TotalSeconds:0} s");
    }

    /// <summary>Waits until the edge routes to exactly these tasks: each checked UP with a weight, every other server at weight 0.</summary>
    async Task WaitForEdgeAsync(IReadOnlyList<RunningTask> tasks, string failure, CancellationToken token)
    {
        if (tasks.Count == 0)
            return;
        var addresses = Addresses(tasks);
        var (done, last) = await edge.WaitAsync(command, s =>
            s.Servers.Where(x => addresses.Contains(x.Address)).Count(x => x.Weight > 0 && SwarmEdge.CheckedUp(x)) == addresses.Count
            && s.Servers.Where(x => !addresses.Contains(x.Address)).All(x => x.Weight == 0), options.EdgeTimeout, token);
        if (!done)
            throw new DeploymentFailedException(
                $"{_app.Name}: {failure} within {options.EdgeTimeout.TotalSeconds:0} s; it sees {string.Join(", ", last.Servers.Select(s => $"{SwarmEdge.Describe(s)} weight {s.Weight}"))}");
    }

    /// <summary>
    /// The slots that served before: blue-green keeps the previous set (no traffic) until keep_previous has passed, for a
    /// rollback that is only a switch; otherwise it drains (no connection left open at the edge) and is removed.
    /// </summary>
    async Task RetirePreviousAsync(CancellationToken token)
    {
        foreach (var other in _slots.Where(s => s.Slot != _slot))
        {
            if (other == _live && _policy.Strategy == RolloutPolicy.BlueGreen && _policy.KeepPrevious > TimeSpan.Zero)
            {
                logger.LogInformation("{Application}: previous set {Service} kept for {KeepPrevious} without traffic, for deployment {DeploymentId}",
                    _app.Name, other.ServiceName, Duration.Format(_policy.KeepPrevious), command.DeploymentId);
                continue;
            }
            await progress.StepAsync("drain", StageStates.InProgress, $"waiting for connections to {other.ServiceName} to end");
            var watch = Stopwatch.StartNew();
            var (drained, last) = await edge.WaitAsync(command, s => s.Servers.Where(x => x.Slot == other.Slot).All(x => x.Sessions == 0), options.DrainTimeout, token);
            await services.RemoveAsync(other.ServiceName, token);
            var open = last.Servers.Where(x => x.Slot == other.Slot).Sum(x => x.Sessions);
            await progress.StepAsync("drain", StageStates.Completed, drained
                ? $"no connection open to {other.ServiceName} after {Seconds(watch.Elapsed)}; removed it"
                : $"{open} connection(s) still open to {other.ServiceName} after {Seconds(watch.Elapsed)}; removed it anyway");
        }
    }

    /// <summary>After a failure: the live slot gets its traffic back before the new slot leaves; a kept previous set stays as it was.</summary>
    async Task UndoAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            if (_sharesMoved && _live is not null && _live.Slot != _slot && !_stoppedLive)
            {
                await services.RelabelAsync(_live.ServiceName, new Dictionary<string, string?>
                {
                    [SwarmSlot.TrafficLabel] = _live.Traffic.ToString(CultureInfo.InvariantCulture),
                    [SwarmSlot.RetireAfterLabel] = null,
                }, limit.Token);
                await services.RelabelAsync(Service, new Dictionary<string, string?> { [SwarmSlot.TrafficLabel] = "0" }, limit.Token);
                await edge.WaitAsync(command, s => s.Servers.Where(x => x.Slot == _slot).All(x => x.Weight == 0), options.EdgeTimeout, limit.Token);
            }
            if (_started)
                await services.RemoveAsync(Service, limit.Token);
        }
        catch (Exception e) when (e is DockerApiException or RequestTimeoutException or RequestFaultException or OperationCanceledException or DeploymentFailedException)
        {
            logger.LogWarning("{Application}: undoing the failed rollout did not finish ({Reason}) for deployment {DeploymentId}", _app.Name, e.Message, command.DeploymentId);
        }
    }

    static string NotCheckedUp(EdgeStats stats, IReadOnlyList<string> addresses) =>
        string.Join(", ", addresses.Select(a => stats.Servers.FirstOrDefault(x => x.Address == a) switch
        {
            null => $"{a} not routed yet",
            var server when !SwarmEdge.CheckedUp(server) => SwarmEdge.Describe(server),
            _ => null,
        }).OfType<string>());

    DeployResult Result(IReadOnlyList<RunningTask> tasks, bool changed) => new($"http://{options.EdgeHost}:{_app.Port}", tasks.Count, changed);

    List<string> Addresses(IReadOnlyList<RunningTask> tasks) => tasks.Select(t => $"{t.Address}:{_app.ContainerPort}").ToList();

    TimeSpan EdgeCheckLimit => options.EdgeTimeout + 3 * _health.Interval + _health.Timeout;

    static string Seconds(TimeSpan elapsed) => $"{elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s";

    static string Rate(double rate) => rate.ToString("0.###", CultureInfo.InvariantCulture);

    static async Task<T> Within<T>(TimeSpan limit, string timedOut, Func<CancellationToken, Task<T>> action, CancellationToken token)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(token);
        bounded.CancelAfter(limit);
        try
        {
            return await action(bounded.Token);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            throw new DeploymentFailedException(timedOut);
        }
    }

    static Task Within(TimeSpan limit, string timedOut, Func<CancellationToken, Task> action, CancellationToken token) =>
        Within(limit, timedOut, async t => { await action(t); return true; }, token);
}
