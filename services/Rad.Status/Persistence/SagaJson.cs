using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rad.Status.Persistence;

public static class SagaJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
