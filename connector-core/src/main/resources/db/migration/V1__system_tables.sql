-- salesos system tables. utf8mb4 everywhere, money DECIMAL, timestamps DATETIME(3) in UTC.

CREATE TABLE sync_checkpoint (
  source        VARCHAR(64)  NOT NULL,
  crm_object    VARCHAR(64)  NOT NULL,
  checkpoint    TEXT         NOT NULL COMMENT 'opaque JSON the connector defines',
  records_total BIGINT       NOT NULL DEFAULT 0,
  last_pull_at  DATETIME(3)  NULL,
  last_change_at DATETIME(3) NULL COMMENT 'newest CRM modification stamp applied',
  last_error    TEXT         NULL,
  updated_at    DATETIME(3)  NOT NULL,
  PRIMARY KEY (source, crm_object)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE record_history (
  seq             BIGINT       NOT NULL AUTO_INCREMENT,
  source          VARCHAR(64)  NOT NULL,
  crm_object      VARCHAR(64)  NOT NULL,
  canonical_object VARCHAR(64) NOT NULL,
  record_id       VARCHAR(64)  NOT NULL,
  crm_modified_at DATETIME(3)  NOT NULL,
  pulled_at       DATETIME(3)  NOT NULL,
  deleted         BOOLEAN      NOT NULL DEFAULT FALSE,
  row_hash        CHAR(64)     NOT NULL,
  fields          LONGTEXT     NOT NULL COMMENT 'canonical values of this version as JSON',
  PRIMARY KEY (seq),
  KEY ix_history_record (source, canonical_object, record_id, crm_modified_at),
  KEY ix_history_object_time (canonical_object, crm_modified_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE outbox (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  idem_key        VARCHAR(128) NOT NULL COMMENT 'deterministic idempotency key',
  source          VARCHAR(64)  NOT NULL,
  crm_object      VARCHAR(64)  NOT NULL,
  canonical_object VARCHAR(64) NOT NULL,
  record_id       VARCHAR(64)  NULL COMMENT 'CRM id for updates and deletes',
  op              VARCHAR(16)  NOT NULL COMMENT 'UPSERT | UPDATE | DELETE',
  write_kind      VARCHAR(32)  NOT NULL COMMENT 'flag | forecast | task | visit_plan | admin | local_edit | rollback',
  fields          LONGTEXT     NOT NULL COMMENT 'canonical values to write, JSON',
  expected        LONGTEXT     NULL COMMENT 'mirror values the write was decided on, JSON (conflict check)',
  status          VARCHAR(16)  NOT NULL COMMENT 'pending | draft | done | dead | discarded | rejected | held',
  attempts        INT          NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(3)  NOT NULL,
  last_error      TEXT         NULL,
  rule_id         VARCHAR(128) NULL,
  rule_hash       CHAR(64)     NULL,
  run_id          VARCHAR(64)  NULL,
  actor           VARCHAR(128) NULL COMMENT 'who queued it (rule engine, admin verb, db user)',
  approved_by     VARCHAR(128) NULL,
  approved_at     DATETIME(3)  NULL,
  crm_id          VARCHAR(64)  NULL COMMENT 'CRM id after success',
  created_at      DATETIME(3)  NOT NULL,
  updated_at      DATETIME(3)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY ux_outbox_key (idem_key),
  KEY ix_outbox_due (status, next_attempt_at),
  KEY ix_outbox_record (source, crm_object, record_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE write_journal (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  outbox_id    BIGINT       NULL,
  idem_key     VARCHAR(128) NOT NULL,
  source       VARCHAR(64)  NOT NULL,
  crm_object   VARCHAR(64)  NOT NULL,
  record_id    VARCHAR(64)  NULL,
  op           VARCHAR(16)  NOT NULL,
  write_kind   VARCHAR(32)  NOT NULL,
  before_image LONGTEXT     NULL COMMENT 'CRM-side values before the write, JSON',
  after_image  LONGTEXT     NULL COMMENT 'values written, JSON',
  rule_id      VARCHAR(128) NULL,
  rule_hash    CHAR(64)     NULL,
  run_id       VARCHAR(64)  NULL,
  actor        VARCHAR(128) NULL,
  approved_by  VARCHAR(128) NULL,
  outcome      VARCHAR(16)  NOT NULL COMMENT 'written | failed | conflict',
  error        TEXT         NULL,
  written_at   DATETIME(3)  NOT NULL,
  PRIMARY KEY (id),
  KEY ix_journal_run (run_id),
  KEY ix_journal_record (source, crm_object, record_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE conflict (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  source       VARCHAR(64)  NOT NULL,
  crm_object   VARCHAR(64)  NOT NULL,
  record_id    VARCHAR(64)  NOT NULL,
  field        VARCHAR(64)  NOT NULL,
  expected_value TEXT       NULL COMMENT 'what the mirror held when the write was decided',
  crm_value    TEXT         NULL COMMENT 'what the CRM holds now',
  our_value    TEXT         NULL COMMENT 'what salesos wanted to write',
  policy       VARCHAR(16)  NOT NULL COMMENT 'crm_wins | salesos_wins | hold',
  resolution   VARCHAR(32)  NOT NULL COMMENT 'kept_crm | wrote_ours | held',
  outbox_id    BIGINT       NULL,
  detected_at  DATETIME(3)  NOT NULL,
  resolved_at  DATETIME(3)  NULL,
  resolved_by  VARCHAR(128) NULL,
  PRIMARY KEY (id),
  KEY ix_conflict_record (source, crm_object, record_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE quarantine (
  id          BIGINT       NOT NULL AUTO_INCREMENT,
  source      VARCHAR(64)  NOT NULL,
  crm_object  VARCHAR(64)  NOT NULL,
  record_id   VARCHAR(64)  NULL,
  reason      TEXT         NOT NULL,
  raw_payload LONGTEXT     NOT NULL,
  first_seen  DATETIME(3)  NOT NULL,
  last_seen   DATETIME(3)  NOT NULL,
  occurrences INT          NOT NULL DEFAULT 1,
  resolved_at DATETIME(3)  NULL,
  PRIMARY KEY (id),
  KEY ix_quarantine_record (source, crm_object, record_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE rule_run (
  run_id        VARCHAR(64)  NOT NULL,
  started_at    DATETIME(3)  NOT NULL,
  finished_at   DATETIME(3)  NULL,
  rule_set_hash CHAR(64)     NULL,
  deals         INT          NOT NULL DEFAULT 0,
  flags         INT          NOT NULL DEFAULT 0,
  tasks         INT          NOT NULL DEFAULT 0,
  writes_queued INT          NOT NULL DEFAULT 0,
  status        VARCHAR(16)  NOT NULL COMMENT 'running | done | failed',
  error         TEXT         NULL,
  PRIMARY KEY (run_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE forecast_snapshot (
  run_id         VARCHAR(64)   NOT NULL,
  taken_at       DATETIME(3)   NOT NULL,
  level          VARCHAR(16)   NOT NULL COMMENT 'rep | manager | team',
  subject_id     VARCHAR(64)   NOT NULL,
  subject_name   VARCHAR(255)  NULL,
  period         VARCHAR(16)   NOT NULL COMMENT 'quarter, e.g. 2026-Q4',
  called_commit  DECIMAL(18,2) NOT NULL,
  called_best    DECIMAL(18,2) NOT NULL,
  adjusted_commit DECIMAL(18,2) NOT NULL,
  adjusted_best  DECIMAL(18,2) NOT NULL,
  deals          INT           NOT NULL,
  downgraded     INT           NOT NULL,
  PRIMARY KEY (run_id, level, subject_id),
  KEY ix_snapshot_time (taken_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE mirror_column (
  canonical_object VARCHAR(64) NOT NULL,
  column_name      VARCHAR(64) NOT NULL,
  sql_type         VARCHAR(64) NOT NULL,
  added_at         DATETIME(3) NOT NULL,
  added_by         VARCHAR(128) NOT NULL COMMENT 'flyway or the mapping file that asked for it',
  PRIMARY KEY (canonical_object, column_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
