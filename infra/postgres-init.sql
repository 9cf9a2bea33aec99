-- Run by the postgres image's entrypoint (mounted into /docker-entrypoint-initdb.d by
-- infra/docker-compose.yml), once, when it initialises an empty data volume. To run it again,
-- remove the volume: docker compose -f infra/docker-compose.yml down -v
--
-- One database per service that uses PostgreSQL; each service creates its own tables at start-up
-- (MIGRATE_ON_START=true).
CREATE DATABASE stock;
CREATE DATABASE payment;
