-- Clusters that RAD creates through Cluster API: the management cluster, the template (YAML with ${VARIABLES}) and
-- its variables. kubeconfig stays empty until the workload cluster is provisioned.
ALTER TABLE clusters ADD COLUMN management text NULL;
ALTER TABLE clusters ADD COLUMN template text NULL;
ALTER TABLE clusters ADD COLUMN variables jsonb NULL;
