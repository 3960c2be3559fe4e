using System.Text.Json;
using System.Text.Json.Serialization;
using Rad.Contracts;

namespace Rad.Status.Persistence;

/// <summary>Every string of a stored saga or revision is written storable (see <see cref="StoredText"/>).</summary>
public sealed class StoredStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString();

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(StoredText.Clean(value));
}
