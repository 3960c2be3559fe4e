using Rad.Status;
using Rad.Status.Api;
using Rad.Status.Persistence;

var builder = WebApplication.CreateBuilder(args);
if (ApiAccess.CheckListenAddresses(builder.Configuration) is { } refusal)
{
    await Console.Error.WriteLineAsync($"rad status: {refusal}");
    return 2;
}
builder.AddStatus();

var app = builder.Build();
await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
app.MapStatusApi();
await app.RunAsync();
return 0;
