-- where each connection's change stream (HubSpot's webhooks journal, Salesforce CDC) was read up to:
-- written in the same transaction as the mirror rows the stream's changes produced, so a crash
-- replays from here and never skips; a gap, overflow or expired position is recorded with when the
-- keyset pull took over, and the counters feed /metrics
CREATE TABLE stream_position (
  source          VARCHAR(64)   NOT NULL,
  position        VARCHAR(512)  NOT NULL,
  updated_at      DATETIME(3)   NOT NULL,
  entries_total   BIGINT        NOT NULL DEFAULT 0,
  changes_total   BIGINT        NOT NULL DEFAULT 0,
  fallbacks_total BIGINT        NOT NULL DEFAULT 0,
  last_fallback_at     DATETIME(3) NULL,
  last_fallback_kind   VARCHAR(16) NULL,
  last_fallback_reason TEXT        NULL,
  PRIMARY KEY (source)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
