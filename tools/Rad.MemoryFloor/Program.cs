using MassTransit;
using Rad.MemoryFloor;
using Serilog;

// Usage: Rad.MemoryFloor LAYERS --urls http://127.0.0.1:PORT, where LAYERS is "web", "web+serilog" or
// "web+serilog+bus". Each layer is what every RAD service has: its HTTP host (/healthz), its Serilog logging, and its
// MassTransit bus over RabbitMQ (Rad:RabbitMq:Host, Port, Username, Password, as the services read them). With the bus,
// GET /ping publishes one message, which the service consumes itself.
var layers = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "";
var known = new[] { "web", "web+serilog", "web+serilog+bus" };
if (!known.Contains(layers))
{
    Console.Error.WriteLine($"unknown layers '{layers}': give one of {string.Join(", ", known)}");
    return 2;
}

var builder = WebApplication.CreateBuilder(args);
if (layers.Contains("serilog", StringComparison.Ordinal))
    builder.Host.UseSerilog((_, logging) => logging.WriteTo.Console());
var bus = layers.EndsWith("+bus", StringComparison.Ordinal);
if (bus)
{
    var rabbit = builder.Configuration.GetSection("Rad:RabbitMq");
    builder.Services.AddMassTransit(x =>
    {
        x.AddConsumer<FloorPingConsumer>();
        x.UsingRabbitMq((context, rabbitMq) =>
        {
            rabbitMq.Host(rabbit["Host"] ?? "127.0.0.1", ushort.Parse(rabbit["Port"] ?? "5672"), "/", host =>
            {
                host.Username(rabbit["Username"] ?? "guest");
                host.Password(rabbit["Password"] ?? "guest");
            });
            // Nothing of it outlives the process: the queue and the message type's exchange go when it disconnects.
            rabbitMq.Publish<FloorPing>(publish =>
            {
                publish.Durable = false;
                publish.AutoDelete = true;
            });
            rabbitMq.ReceiveEndpoint($"rad-memory-floor-{Environment.ProcessId}", endpoint =>
            {
                endpoint.Durable = false;
                endpoint.AutoDelete = true;
                endpoint.ConfigureConsumer<FloorPingConsumer>(context);
            });
        });
    });
}

var app = builder.Build();
app.MapGet("/healthz", () => "ok");
if (bus)
    app.MapGet("/ping", async (IPublishEndpoint publisher) =>
    {
        await publisher.Publish(new FloorPing(Guid.NewGuid()));
        return FloorPingConsumer.Consumed.ToString();
    });
app.Run();
return 0;
