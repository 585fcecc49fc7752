-- connections an admin paused (salesos sync --pause): no pull, no evaluation, no push for them
-- until resumed, whichever daemon runs; the outbox keeps their writes queued meanwhile.
CREATE TABLE connection_pause (
  source     VARCHAR(64)  NOT NULL,
  paused_at  DATETIME(3)  NOT NULL,
  paused_by  VARCHAR(128) NOT NULL,
  reason     TEXT         NULL,
  PRIMARY KEY (source)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
