using MassTransit;

namespace Rad.Status.Notifications;

public static class NotificationRegistration
{
    /// <summary>The two durable consumers: one notices starts and ends, the other delivers to one target per message.</summary>
    public static void AddNotificationConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<DeploymentNotifier>();
        bus.AddConsumer<NotificationDeliveryConsumer>(typeof(NotificationDeliveryConsumerDefinition));
    }

    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<NotificationOptions>(configuration.GetSection(NotificationOptions.Section));
        services.AddOptions<NotificationOptions>().Validate(NotificationOptions.IsValid,
            $"{NotificationOptions.Section}: Attempts must be 1-20, FirstDelay at least 0 and at most MaxDelay, AttemptTimeout above 0, ConcurrentDeliveries 1-1000.")
            .ValidateOnStart();
        services.Configure<DashboardOptions>(configuration.GetSection(DashboardOptions.Section));
        services.AddOptions<DashboardOptions>().Validate(o => Uri.TryCreate(o.PublicUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https",
            $"{DashboardOptions.Section}:PublicUrl must be an absolute http(s) URL such as http://127.0.0.1:7080/.").ValidateOnStart();
        services.AddSingleton<NotificationStore>();
        // Its own client, not IHttpClientFactory's: the factory's handlers log every request's full URL, and a target's
        // path may be a credential. Redirects are not followed: a notification goes where it was registered to go.
        services.AddSingleton(_ => new NotificationSender(new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        }));
        return services;
    }
}
