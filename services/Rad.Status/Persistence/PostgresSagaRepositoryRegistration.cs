using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Rad.Status.Saga;

namespace Rad.Status.Persistence;

public static class PostgresSagaRepositoryRegistration
{
    public static ISagaRegistrationConfigurator<DeploymentState> PostgresRepository(this ISagaRegistrationConfigurator<DeploymentState> saga) =>
        saga.Repository(repository =>
        {
            repository.RegisterLoadSagaRepository<DeploymentState, PostgresSagaRepositoryContextFactory>();
            repository.RegisterQuerySagaRepository<DeploymentState, PostgresSagaRepositoryContextFactory>();
            repository.RegisterSagaRepository<DeploymentState, DeploymentSagaStore,
                SagaConsumeContextFactory<DeploymentSagaStore, DeploymentState>, PostgresSagaRepositoryContextFactory>();
        });
}
