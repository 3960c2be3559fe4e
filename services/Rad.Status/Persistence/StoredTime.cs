namespace Rad.Status.Persistence;

/// <summary>PostgreSQL's timestamptz comes back from Npgsql as a DateTime of unspecified kind that is in fact UTC.</summary>
static class StoredTime
{
    public static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));
}
