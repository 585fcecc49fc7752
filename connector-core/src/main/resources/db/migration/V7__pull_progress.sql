-- how far each mapped object of each connection is pulled, so rules are evaluated only over a
-- consistent mirror: never before an object's initial load has completed, never while a pull of
-- the connection is under way, interrupted or failed. A connection's watermark is the oldest
-- complete_to of its mapped objects: every change the CRM held before it is in the mirror.
CREATE TABLE pull_progress (
  source       VARCHAR(64)  NOT NULL,
  crm_object   VARCHAR(64)  NOT NULL,
  state        VARCHAR(16)  NOT NULL COMMENT 'never | running | partial | complete | failed',
  started_at   DATETIME(3)  NULL COMMENT 'start of the latest pull',
  complete_to  DATETIME(3)  NULL COMMENT 'start of the latest pull that read to the end: everything before it is mirrored',
  loaded_at    DATETIME(3)  NULL COMMENT 'when the initial load first read to the end',
  reason       TEXT         NULL COMMENT 'why the latest pull did not complete',
  updated_at   DATETIME(3)  NOT NULL,
  PRIMARY KEY (source, crm_object)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
