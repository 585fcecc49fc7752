-- An org's own objects (Salesforce custom objects, HubSpot custom objects) mirrored into tables
-- of their own (custom_<name>), their relations for the rules, and every change of their column
-- types that describe asked for: applied or refused, never done by hand.

CREATE TABLE mirror_relation (
  source          VARCHAR(64)  NOT NULL COMMENT 'the connection',
  parent_object   VARCHAR(64)  NOT NULL COMMENT 'the canonical object the relation hangs from (account)',
  name            VARCHAR(64)  NOT NULL COMMENT 'the name rules use: account.<name>',
  table_name      VARCHAR(64)  NOT NULL COMMENT 'the custom mirror table',
  key_column      VARCHAR(64)  NOT NULL COMMENT 'its column holding the parent id',
  crm_object      VARCHAR(128) NOT NULL,
  declared_by     VARCHAR(128) NOT NULL COMMENT 'the mapping file',
  updated_at      DATETIME(3)  NOT NULL,
  PRIMARY KEY (source, parent_object, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE mirror_migration (
  seq             BIGINT       NOT NULL AUTO_INCREMENT,
  table_name      VARCHAR(64)  NOT NULL,
  column_name     VARCHAR(64)  NOT NULL,
  from_type       VARCHAR(64)  NOT NULL,
  to_type         VARCHAR(64)  NOT NULL,
  outcome         VARCHAR(16)  NOT NULL COMMENT 'applied or refused',
  statement       TEXT         NULL COMMENT 'the DDL applied',
  reason          TEXT         NULL COMMENT 'why it was refused',
  rows_checked    BIGINT       NOT NULL,
  rows_lost       BIGINT       NOT NULL COMMENT 'values that would not survive the new type',
  source          VARCHAR(64)  NOT NULL,
  crm_object      VARCHAR(128) NOT NULL,
  seen_at         DATETIME(3)  NOT NULL,
  PRIMARY KEY (seq),
  KEY ix_migration_table (table_name, column_name, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
