using MassTransit;
using Npgsql;

namespace Rad.Status.Persistence;

public static class DatabaseOutageRetry
{
    /// <summary>
    /// Retries a message whose handling needs PostgreSQL for about two minutes while the database is away (a restart,
    /// a fail-over), backing off up to 15 s. Without it the endpoint's short retry gave up after 2 s and the message
    /// went to the error queue: an event lost that way left its deployment stuck in its stage until the deadline.
    /// Add it before the endpoint's own retry, which then lets transient database errors through to this one.
    /// </summary>
    public static void UseDatabaseOutageRetry(this IReceiveEndpointConfigurator endpoint) =>
        endpoint.UseMessageRetry(retry =>
        {
            retry.Handle<NpgsqlException>(e => e.IsTransient);
            retry.Exponential(12, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(250));
        });

    /// <summary>The endpoint's own quick retry, leaving transient database errors to <see cref="UseDatabaseOutageRetry"/>.</summary>
    public static void IgnoreDatabaseOutage(this IRetryConfigurator retry) =>
        retry.Ignore<NpgsqlException>(e => e.IsTransient);
}
