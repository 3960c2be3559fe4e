using Npgsql;
using Testcontainers.PostgreSql;
using Xunit;

namespace Rad.IntegrationTests.Isolated;

/// <summary>
/// A throwaway PostgreSQL: database "rad" (<see cref="ConnectionString"/>), or a database of its own per test
/// (<see cref="NewDatabaseAsync"/>). It keeps its host port and its data across a restart.
/// </summary>
public sealed class OwnedPostgres : IAsyncLifetime
{
    readonly string _password = Guid.NewGuid().ToString("N");
    PostgreSqlContainer? _container;
    NpgsqlDataSource? _admin;

    public int Port { get; } = OwnedContainers.FreePort();
    public string ConnectionString => OwnedContainers.ConnectionString(Port, _password);

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

    /// <summary>Stops the server (a fast shutdown: clients are disconnected) and starts it again; returns once it accepts connections.</summary>
    public async Task RestartAsync()
    {
        await _container!.StopAsync();
        await _container.StartAsync();
    }

    public Task StopAsync() => _container!.StopAsync();

    public Task StartAsync() => _container!.StartAsync();

    public async Task DisposeAsync()
    {
        if (_admin is not null)
            await _admin.DisposeAsync();
        if (_container is not null)
            await _container.DisposeAsync();
    }
}
