-- Quarantine keeps one row per bad record and payload (source, crm_object, record_id, payload hash):
-- a record seen again counts another occurrence instead of storing another full copy. A record
-- without an id is keyed by '' (a unique key would let NULLs repeat).
ALTER TABLE quarantine ADD COLUMN payload_hash CHAR(64) NULL COMMENT 'sha-256 of the whole payload as received' AFTER raw_payload;
ALTER TABLE quarantine ADD COLUMN payload_length BIGINT NULL COMMENT 'length of the whole payload in UTF-8 bytes' AFTER payload_hash;
ALTER TABLE quarantine ADD COLUMN payload_truncated BOOLEAN NOT NULL DEFAULT FALSE COMMENT 'raw_payload holds only the start' AFTER payload_length;

UPDATE quarantine SET record_id = '' WHERE record_id IS NULL;
ALTER TABLE quarantine MODIFY record_id VARCHAR(64) NOT NULL DEFAULT '';
UPDATE quarantine SET payload_hash = SHA2(raw_payload, 256), payload_length = LENGTH(raw_payload);

-- rows stored before this migration: one row per content, with their sightings summed
UPDATE quarantine q JOIN (
    SELECT MIN(id) AS keep_id, SUM(occurrences) AS n, MIN(first_seen) AS f, MAX(last_seen) AS l,
           IF(SUM(resolved_at IS NULL) > 0, NULL, MAX(resolved_at)) AS r
    FROM quarantine GROUP BY source, crm_object, record_id, payload_hash) g ON q.id = g.keep_id
  SET q.occurrences = g.n, q.first_seen = g.f, q.last_seen = g.l, q.resolved_at = g.r;
DELETE q FROM quarantine q JOIN (
    SELECT source, crm_object, record_id, payload_hash, MIN(id) AS keep_id
    FROM quarantine GROUP BY source, crm_object, record_id, payload_hash) g
  ON q.source = g.source AND q.crm_object = g.crm_object AND q.record_id = g.record_id
     AND q.payload_hash = g.payload_hash AND q.id <> g.keep_id;

-- payloads stored whole before: their first 64 Ki characters are kept (the sync's cap applies from now on)
UPDATE quarantine SET raw_payload = LEFT(raw_payload, 65536), payload_truncated = TRUE WHERE CHAR_LENGTH(raw_payload) > 65536;

ALTER TABLE quarantine MODIFY payload_hash CHAR(64) NOT NULL COMMENT 'sha-256 of the whole payload as received';
ALTER TABLE quarantine MODIFY payload_length BIGINT NOT NULL COMMENT 'length of the whole payload in UTF-8 bytes';
ALTER TABLE quarantine ADD UNIQUE KEY ux_quarantine_content (source, crm_object, record_id, payload_hash);
ALTER TABLE quarantine ADD KEY ix_quarantine_last_seen (last_seen);

-- what the nightly retention deletes by age
ALTER TABLE write_journal ADD KEY ix_journal_written (written_at);
ALTER TABLE conflict ADD KEY ix_conflict_detected (detected_at);

-- Erasures on request (salesos forget): what was erased, when and by which verb, never the erased
-- values; the subject is kept as a sha-256 only, so an auditor holding the address can check it was done.
CREATE TABLE erasure (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  erased_at    DATETIME(3)  NOT NULL,
  verb         VARCHAR(64)  NOT NULL COMMENT 'the command that erased, e.g. forget --email',
  actor        VARCHAR(128) NOT NULL,
  subject_kind VARCHAR(16)  NOT NULL COMMENT 'email | record',
  subject_hash CHAR(64)     NOT NULL COMMENT 'sha-256 of the lower-cased address, or of crm_object:id',
  rows_erased  INT          NOT NULL COMMENT 'rows deleted plus values redacted',
  tables       LONGTEXT     NOT NULL COMMENT 'table -> rows deleted and values redacted, JSON',
  PRIMARY KEY (id),
  KEY ix_erasure_subject (subject_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
