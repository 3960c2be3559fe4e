using Npgsql;
using Testcontainers.PostgreSql;
using Xunit;

namespace Rad.IntegrationTests.Isolated;

/// <summary>A throwaway PostgreSQL for one test class; every test takes a database of its own from it.</summary>
public sealed class OwnedPostgres : IAsyncLifetime
{
    readonly string _password = Guid.NewGuid().ToString("N");
    PostgreSqlContainer? _container;
    NpgsqlDataSource? _admin;

    public int Port { get; } = OwnedContainers.FreePort();

    public async Task InitializeAsync()
    {
        _container = OwnedContainers.Postgres(Port, _password);
        await _container.StartAsync();
        _admin = NpgsqlDataSource.Create(OwnedContainers.ConnectionString(Port, _password));
    }

    /// <summary>An empty database of its own, and a data source for it.</summary>
    public async Task<NpgsqlDataSource> NewDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..12];
        await using (var command = _admin!.CreateCommand($"CREATE DATABASE {name}"))
            await command.ExecuteNonQueryAsync();
        return NpgsqlDataSource.Create(OwnedContainers.ConnectionString(Port, _password, name));
    }

    public async Task DisposeAsync()
    {
        if (_admin is not null)
            await _admin.DisposeAsync();
        if (_container is not null)
            await _container.DisposeAsync();
    }
}
