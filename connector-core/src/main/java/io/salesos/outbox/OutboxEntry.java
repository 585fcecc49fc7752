package io.salesos.outbox;

import io.salesos.rules.WriteKind;
import io.salesos.spi.Write;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One write waiting to reach a CRM: what to write (canonical values), to which record, why (kind,
 * rule and rule-file hash, run), what the mirror held when it was decided (for the conflict
 * check), and where it stands (status, attempts, last error).
 */
public record OutboxEntry(
    long id,
    String idemKey,
    String source,
    String crmObject,
    String canonicalObject,
    Optional<String> recordId,
    Write.Op op,
    WriteKind kind,
    Map<String, Object> fields,
    Map<String, Object> expected,
    Status status,
    int attempts,
    Optional<String> lastError,
    Optional<String> ruleId,
    Optional<String> ruleHash,
    Optional<String> runId,
    Optional<String> actor,
    Optional<String> approvedBy,
    Instant createdAt) {

  /** Where an outbox row stands. */
  public enum Status {
    /** waiting to be written */
    PENDING,
    /** waiting for a person's approval (write policy "draft") */
    DRAFT,
    /** written; the journal holds the result */
    DONE,
    /** gave up after the configured tries, or the CRM refused it for good */
    DEAD,
    /** a conflict policy says a person must decide */
    HELD,
    /** a person discarded it */
    DISCARDED,
    /** a person rejected the draft */
    REJECTED,
    /** the allow-list in force does not permit it: never sent; `outbox retry` queues it again after a widening */
    BLOCKED,
    /** its run queued more writes than the run limits allow: held until `outbox release RUN_ID` */
    REVIEW;

    public String code() {
      return name().toLowerCase();
    }
  }

  public OutboxEntry {
    Objects.requireNonNull(idemKey, "idemKey");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(crmObject, "crmObject");
    Objects.requireNonNull(canonicalObject, "canonicalObject");
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(kind, "kind");
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    expected = Collections.unmodifiableMap(new LinkedHashMap<>(expected));
    Objects.requireNonNull(status, "status");
    if (idemKey.length() > 128) {
      throw new IllegalArgumentException("an idempotency key is at most 128 characters: " + idemKey);
    }
    if (op != Write.Op.UPSERT && recordId.isEmpty()) {
      throw new IllegalArgumentException(op + " needs the CRM record id: " + idemKey);
    }
  }

  /** A new write to queue (id and timestamps are set by the store). */
  public static OutboxEntry queued(String idemKey, String source, String crmObject, String canonicalObject,
      Optional<String> recordId, Write.Op op, WriteKind kind, Map<String, Object> fields, Map<String, Object> expected,
      Optional<String> ruleId, Optional<String> ruleHash, Optional<String> runId, String actor) {
    return new OutboxEntry(0L, idemKey, source, crmObject, canonicalObject, recordId, op, kind, fields, expected,
        Status.PENDING, 0, Optional.empty(), ruleId, ruleHash, runId, Optional.of(actor), Optional.empty(), Instant.EPOCH);
  }

  /** The same entry addressed to the record the CRM created or updated (for the journal). */
  public OutboxEntry withCrmId(Optional<String> crmId) {
    return crmId.isEmpty() ? this : new OutboxEntry(id, idemKey, source, crmObject, canonicalObject, crmId, op, kind,
        fields, expected, status, attempts, lastError, ruleId, ruleHash, runId, actor, approvedBy, createdAt);
  }

  /** The same entry attributed to another run. */
  public OutboxEntry withRun(String run) {
    return new OutboxEntry(id, idemKey, source, crmObject, canonicalObject, recordId, op, kind, fields, expected, status,
        attempts, lastError, ruleId, ruleHash, Optional.of(run), actor, approvedBy, createdAt);
  }

  /** The canonical fields this write sends: an upsert carries its key in salesos_key, the external id it upserts by. */
  public Map<String, Object> sentFields() {
    if (op != Write.Op.UPSERT) {
      return fields;
    }
    var values = new LinkedHashMap<String, Object>(fields);
    // a rollback that re-creates a withdrawn task carries the task's own key
    values.putIfAbsent("salesos_key", idemKey);
    return values;
  }

  /** The same entry queued as held, for {@code reason}: a person must decide on it. */
  public OutboxEntry held(String reason) {
    return new OutboxEntry(id, idemKey, source, crmObject, canonicalObject, recordId, op, kind, fields, expected, Status.HELD,
        attempts, Optional.of(reason), ruleId, ruleHash, runId, actor, approvedBy, createdAt);
  }

  public OutboxEntry withStatus(Status s) {
    return new OutboxEntry(id, idemKey, source, crmObject, canonicalObject, recordId, op, kind, fields, expected, s,
        attempts, lastError, ruleId, ruleHash, runId, actor, approvedBy, createdAt);
  }
}
