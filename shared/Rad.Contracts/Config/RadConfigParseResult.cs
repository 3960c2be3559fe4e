namespace Rad.Contracts.Config;

public record RadConfigParseResult(RadConfig? Config, IReadOnlyList<string> Errors)
{
    public bool IsValid => Config is not null && Errors.Count == 0;
}
