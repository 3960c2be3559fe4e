using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rad.Status.Persistence;

public static class SagaJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // PostgreSQL's jsonb refuses \u0000: a NUL from a repository's file once kept a failure from being recorded.
        Converters = { new StoredStringConverter() },
    };
}
