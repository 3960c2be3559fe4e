using System.Text.Json;
using MassTransit.Serialization;

namespace Rad.Status.Outbox;

/// <summary>Messages kept in PostgreSQL to be published later: MassTransit's own JSON settings, so what is read back is what would have gone on the wire.</summary>
public static class MessageJson
{
    public static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    public static string Serialize(object message, Type type) => JsonSerializer.Serialize(message, type, SystemTextJsonMessageSerializer.Options);

    public static (Type Type, object Message) Deserialize(string typeName, string body)
    {
        var type = Type.GetType(typeName, throwOnError: false)
                   ?? throw new InvalidOperationException($"a stored message has type '{typeName}', which this build of Rad.Status does not know");
        return (type, JsonSerializer.Deserialize(body, type, SystemTextJsonMessageSerializer.Options)
                      ?? throw new InvalidOperationException($"a stored {type.Name} message is null"));
    }
}
