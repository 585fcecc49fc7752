-- the rules a run could not evaluate on some records (those records got no write from them):
-- how many records per rule, and the first of them with its message, for the status page, /metrics and audits
CREATE TABLE rule_error (
  run_id          VARCHAR(64)  NOT NULL,
  source          VARCHAR(64)  NULL,
  rule_id         VARCHAR(191) NOT NULL,
  records         INT          NOT NULL,
  example_subject VARCHAR(16)  NOT NULL COMMENT 'deal | contact | account | activity',
  example_record  VARCHAR(191) NOT NULL,
  example_message TEXT         NOT NULL,
  PRIMARY KEY (run_id, rule_id),
  KEY ix_rule_error_source (source, run_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
