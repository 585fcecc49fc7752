package io.salesos.journal;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** One journalled write: what the record held before, what was written, why, by whom, and how it went. */
public record JournalEntry(
    long id,
    Optional<Long> outboxId,
    String idemKey,
    String source,
    String crmObject,
    Optional<String> recordId,
    String op,
    String writeKind,
    Map<String, Object> before,
    Map<String, Object> after,
    Optional<String> ruleId,
    Optional<String> ruleHash,
    Optional<String> runId,
    Optional<String> actor,
    Optional<String> approvedBy,
    String outcome,
    Optional<String> error,
    Instant writtenAt) {

  public static final String WRITTEN = "written";
  public static final String FAILED = "failed";
  public static final String CONFLICT = "conflict";
}
