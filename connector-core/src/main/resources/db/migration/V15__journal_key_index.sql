-- the journal is read by idempotency key: the withdrawal of a task salesos wrote compares the task
-- with its journalled after-image (latest written entry per key, a page of keys at a time), and
-- `journal` and the outbox's crash recovery look one key up. Without an index each lookup read the
-- whole journal, which grows with every write salesos ever made.
ALTER TABLE write_journal ADD KEY ix_journal_key (idem_key, source);
