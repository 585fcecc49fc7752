package io.salesos.outbox;

import io.salesos.journal.Journal;
import io.salesos.journal.JournalEntry;
import io.salesos.mapping.ObjectMapping;
import io.salesos.mirror.CanonicalJson;
import io.salesos.mirror.MirrorStore;
import io.salesos.outbox.ConflictPolicy.Resolution;
import io.salesos.rules.WriteKind;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.Write;
import io.salesos.spi.WriteResult;
import io.salesos.connection.CrmConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends due outbox rows to their CRMs in the largest batches each allows. Before updating existing
 * records it refreshes them from the CRM and checks each field against what the write was decided
 * on: a field changed in the CRM meanwhile is a conflict, settled by the {@link ConflictPolicy}
 * and recorded with both values. Every outcome is journalled; a failed row stays queued with its
 * reason and is retried with backoff, then dead-lettered.
 */
public final class OutboxDrainer {

  private static final Logger log = LoggerFactory.getLogger(OutboxDrainer.class);

  private final OutboxStore outbox;
  private final ConflictStore conflictStore;
  private final Journal journal;
  private final MirrorStore mirror;
  private final CrmRefresh refresh;
  private final Supplier<Optional<AllowList>> allowList;
  private final ConflictPolicy conflicts;
  private final int maxAttempts;
  private final Duration backoff;
  private final Clock clock;

  /**
   * {@code allowList} gives the allow-list in force when a drain starts; while it gives none (no
   * rule set has loaded), nothing is sent and every due write stays queued.
   */
  public OutboxDrainer(OutboxStore outbox, ConflictStore conflictStore, Journal journal, MirrorStore mirror,
      CrmRefresh refresh, Supplier<Optional<AllowList>> allowList, ConflictPolicy conflicts, int maxAttempts,
      Duration backoff, Clock clock) {
    this.outbox = outbox;
    this.conflictStore = conflictStore;
    this.journal = journal;
    this.mirror = mirror;
    this.refresh = refresh;
    this.allowList = allowList;
    this.conflicts = conflicts;
    this.maxAttempts = maxAttempts;
    this.backoff = backoff;
    this.clock = clock;
  }

  /** What one drain did. */
  public record DrainStats(int written, int failed, int dead, int conflicts, int held, int blocked) {
    DrainStats plus(DrainStats o) {
      return new DrainStats(written + o.written, failed + o.failed, dead + o.dead, conflicts + o.conflicts, held + o.held,
          blocked + o.blocked);
    }
  }

  /**
   * A test hook (set only by the crash tests): the process halts right after a CRM accepted a
   * batch, before the outbox and journal record it, as a SIGKILL there would.
   */
  static final String HALT_AFTER_CRM_ANSWER = "salesos.test.haltAfterCrmAnswer";

  /** Drains every due row (up to {@code limit}) for the given connections. */
  public DrainStats drain(Map<String, CrmConnection> connections, int limit) {
    var allow = allowList.get();
    if (allow.isEmpty()) {
      long waiting = outbox.depth();
      if (waiting > 0) {
        log.warn("event=push_withheld writes={} reason=\"no rule set is in force, so no allow-list: nothing is sent until"
            + " the rule files load (salesos rules check)\"", waiting);
      }
      return new DrainStats(0, 0, 0, 0, 0, 0);
    }
    var due = outbox.due(limit);
    var groups = new LinkedHashMap<String, List<OutboxEntry>>();
    for (var e : due) {
      groups.computeIfAbsent(e.source() + "\u0000" + e.crmObject(), k -> new ArrayList<>()).add(e);
    }
    var total = new DrainStats(0, 0, 0, 0, 0, 0);
    for (var group : groups.values()) {
      total = total.plus(drainGroup(connections, group, allow.get()));
    }
    return total;
  }

  private DrainStats drainGroup(Map<String, CrmConnection> connections, List<OutboxEntry> rows, AllowList allowList) {
    var first = rows.get(0);
    var connection = connections.get(first.source());
    int dead = 0;
    if (connection == null || !connection.readWrite()) {
      var why = connection == null ? "no connection named '" + first.source() + "' is configured"
          : "the connection '" + first.source() + "' is read_only";
      for (var r : rows) {
        outbox.markFailed(r, why, false, maxAttempts, backoff);
      }
      return new DrainStats(0, 0, rows.size(), 0, 0, 0);
    }
    var mappingOpt = connection.mapping().forCrmObject(first.crmObject());
    if (mappingOpt.isEmpty()) {
      for (var r : rows) {
        outbox.markFailed(r, "the mapping has no CRM object " + first.crmObject(), false, maxAttempts, backoff);
      }
      return new DrainStats(0, 0, rows.size(), 0, 0, 0);
    }
    var mapping = mappingOpt.get();
    var sendable = new ArrayList<OutboxEntry>();
    int blocked = 0;
    for (var r : rows) {
      // checked on the fields as they will be sent, the upsert key included
      var refusal = allowList.refusal(r);
      if (refusal.isPresent()) {
        var why = refusal.get();
        outbox.setStatus(r.id(), OutboxEntry.Status.BLOCKED, why);
        journal.record(List.of(entry(r, Map.of(), r.fields(), JournalEntry.FAILED, Optional.of(why))));
        blocked++;
      } else {
        sendable.add(r);
      }
    }
    int conflictCount = 0;
    int held = 0;
    int failed = 0;
    // the records we are about to update as the CRM holds them now, so the conflict check sees a rep's
    // latest edit: read by id where the connector can; only a connector that cannot is pulled first (a
    // pull costs search calls and, on a lagging index, reads nothing newer than the read by id)
    var updateIds = sendable.stream().filter(OutboxDrainer::checked)
        .map(r -> r.recordId().orElseThrow()).distinct().toList();
    var fresh = readById(connection, mapping, updateIds);
    if (!updateIds.isEmpty() && !fresh.byId()) {
      refresh.refresh(connection, mapping);
    }
    if (fresh.failure().isPresent()) {
      // checking against a possibly stale mirror could overwrite a rep's recent edit: hold the updates, retry later
      var why = "not sent: could not read the records from the CRM to check for conflicts (" + fresh.failure().get() + ")";
      var kept = new ArrayList<OutboxEntry>();
      for (var r : sendable) {
        if (!checked(r)) {
          kept.add(r);
        } else if (outbox.markFailed(r, why, true, maxAttempts, backoff) == OutboxEntry.Status.DEAD) {
          dead++;
        } else {
          failed++;
        }
      }
      sendable = kept;
    }
    var columns = mapping.canonicalTypes();
    var toSend = new ArrayList<OutboxEntry>();
    var before = new LinkedHashMap<Long, Map<String, Object>>();
    for (var r : sendable) {
      if (!checked(r)) {
        toSend.add(r);
        before.put(r.id(), Map.of());
        continue;
      }
      var id = r.recordId().orElseThrow();
      var current = fresh.records().containsKey(id) ? fresh.records().get(id)
          : mirror.find(r.canonicalObject(), r.source(), id, columns).orElse(Map.of());
      if (r.kind() == WriteKind.WITHDRAW) {
        var edited = editedSinceWritten(r, current);
        if (edited.isPresent()) {
          // a rep's task now, not salesos's: left as it is
          var why = "not withdrawn: " + edited.get() + " changed in the CRM since salesos wrote the task; a task a person"
              + " touched is left alone";
          outbox.setStatus(r.id(), OutboxEntry.Status.DONE, why);
          journal.record(List.of(entry(r, current, Map.of(), JournalEntry.CONFLICT, Optional.of(why))));
          log.info("event=withdraw_skipped source={} object={} id={} field={} reason=\"edited in the CRM\"", r.source(),
              r.crmObject(), id, edited.get());
          continue;
        }
        if (r.op() == Write.Op.DELETE) {
          // the whole task as it stands, so a rollback can create it again under its key
          var image = new LinkedHashMap<String, Object>();
          r.expected().keySet().forEach(f -> image.put(f, current.get(f)));
          image.put("salesos_key", current.get("salesos_key"));
          image.values().removeIf(java.util.Objects::isNull);
          before.put(r.id(), image);
          toSend.add(r);
          continue;
        }
      }
      var fields = new LinkedHashMap<String, Object>(r.fields());
      var beforeImage = new LinkedHashMap<String, Object>();
      boolean hold = false;
      for (var f : r.fields().keySet()) {
        var now = current.get(f);
        beforeImage.put(f, now);
        if (!r.expected().containsKey(f)) {
          continue;
        }
        var expected = CanonicalJson.comparable(r.expected().get(f));
        var crmNow = CanonicalJson.comparable(now);
        if (java.util.Objects.equals(expected, crmNow)) {
          continue;
        }
        if (ownEcho(r, f, crmNow)) {
          // the CRM shows salesos's own write, which the mirror the write was decided on predates (a crash
          // between a push and its echo's pull): not a person's edit, so not a conflict
          log.info("event=own_write_echo source={} object={} id={} field={}", r.source(), r.crmObject(), id, f);
          continue;
        }
        var policy = conflicts.of(r.canonicalObject(), f);
        var resolution = switch (policy) {
          case CRM_WINS -> "kept_crm";
          case SALESOS_WINS -> "wrote_ours";
          case HOLD -> "held";
        };
        conflictStore.record(r, f, expected, crmNow, CanonicalJson.comparable(r.fields().get(f)), policy, resolution);
        log.info("event=conflict source={} object={} id={} field={} policy={} resolution={}", r.source(), r.crmObject(),
            id, f, policy.code(), resolution);
        conflictCount++;
        if (policy == Resolution.CRM_WINS) {
          fields.remove(f);
        } else if (policy == Resolution.HOLD) {
          hold = true;
        }
      }
      if (hold) {
        outbox.setStatus(r.id(), OutboxEntry.Status.HELD, "held: a field changed in the CRM since salesos decided; a person must decide");
        held++;
        continue;
      }
      if (fields.isEmpty()) {
        outbox.setStatus(r.id(), OutboxEntry.Status.DONE, "not written: the CRM's newer values were kept");
        journal.record(List.of(entry(r, beforeImage, Map.of(), JournalEntry.CONFLICT, Optional.of("CRM value kept"))));
        continue;
      }
      before.put(r.id(), beforeImage);
      toSend.add(new OutboxEntry(r.id(), r.idemKey(), r.source(), r.crmObject(), r.canonicalObject(), r.recordId(),
          r.op(), r.kind(), fields, r.expected(), r.status(), r.attempts(), r.lastError(), r.ruleId(), r.ruleHash(),
          r.runId(), r.actor(), r.approvedBy(), r.createdAt()));
    }
    int written = 0;
    int batch = Math.max(1, connection.connector().maxWriteBatch());
    for (int from = 0; from < toSend.size(); from += batch) {
      var chunk = toSend.subList(from, Math.min(toSend.size(), from + batch));
      var writes = new ArrayList<Write>(chunk.size());
      var journalRows = new ArrayList<JournalEntry>();
      var ok = new ArrayList<OutboxEntry>();
      for (var r : chunk) {
        try {
          writes.add(toWrite(r, mapping));
          ok.add(r);
        } catch (IllegalArgumentException e) {
          outbox.markFailed(r, e.getMessage(), false, maxAttempts, backoff);
          dead++;
        }
      }
      if (writes.isEmpty()) {
        continue;
      }
      List<WriteResult> results;
      try {
        results = connection.connector().push(first.crmObject(), writes);
      } catch (ConnectorException e) {
        // the whole call failed: every row stays queued with the reason (a spent daily budget is retried later)
        boolean retryable = e.retryable() || e.kind() == ConnectorException.Kind.LIMIT_EXHAUSTED;
        for (var r : ok) {
          var status = outbox.markFailed(r, e.kind() + ": " + e.getMessage(), retryable, maxAttempts, backoff);
          journalRows.add(entry(r, before.get(r.id()), r.fields(), JournalEntry.FAILED, Optional.of(e.getMessage())));
          if (status == OutboxEntry.Status.DEAD) {
            dead++;
          } else {
            failed++;
          }
        }
        journal.record(journalRows);
        log.warn("event=push_failed source={} object={} rows={} kind={} reason=\"{}\"", first.source(),
            first.crmObject(), ok.size(), e.kind(), e.getMessage());
        if (!e.retryable()) {
          break;
        }
        continue;
      }
      if (results.size() != writes.size()) {
        throw new IllegalStateException(first.source() + " answered " + results.size() + " results for " + writes.size() + " writes");
      }
      if (Boolean.getBoolean(HALT_AFTER_CRM_ANSWER)) {
        Runtime.getRuntime().halt(137);
      }
      var done = new ArrayList<OutboxStore.Done>();
      var doneJournal = new ArrayList<JournalEntry>();
      for (int i = 0; i < results.size(); i++) {
        var r = ok.get(i);
        var result = results.get(i);
        if (result.success()) {
          done.add(new OutboxStore.Done(r.id(), result.id().or(() -> r.recordId())));
          doneJournal.add(entry(r.withCrmId(result.id()), before.get(r.id()), r.fields(), JournalEntry.WRITTEN, Optional.empty()));
          written++;
        } else {
          var error = result.errorCode().orElse("ERROR") + ": " + result.message().orElse("");
          var status = outbox.markFailed(r, error, result.retryable(), maxAttempts, backoff);
          journalRows.add(entry(r, before.get(r.id()), r.fields(), JournalEntry.FAILED, Optional.of(error)));
          if (status == OutboxEntry.Status.DEAD) {
            dead++;
          } else {
            failed++;
          }
        }
      }
      outbox.markDone(done, journal, doneJournal);
      journal.record(journalRows);
    }
    if (written + failed + dead + blocked > 0) {
      log.info("event=pushed source={} object={} written={} failed={} dead={} conflicts={} blocked={}", first.source(),
          first.crmObject(), written, failed, dead, conflictCount, blocked);
    }
    return new DrainStats(written, failed, dead, conflictCount, held, blocked);
  }

  /** Whether a row is checked against the CRM before it is sent: every update, and every withdrawal of a task. */
  private static boolean checked(OutboxEntry r) {
    return r.op() == Write.Op.UPDATE || r.kind() == WriteKind.WITHDRAW && r.recordId().isPresent();
  }

  /**
   * Whether {@code crmNow} in field {@code f} is salesos's own write: the value this very row
   * writes (a push the CRM accepted before a crash, sent again), or the value salesos last wrote to
   * that field of that record according to the journal.
   */
  private boolean ownEcho(OutboxEntry r, String f, String crmNow) {
    if (crmNow == null) {
      return false;
    }
    if (crmNow.equals(CanonicalJson.comparable(r.fields().get(f)))) {
      return true;
    }
    var ours = journal.lastWrittenValues(r.source(), r.crmObject(), r.recordId().orElseThrow());
    return ours.containsKey(f) && crmNow.equals(CanonicalJson.comparable(ours.get(f)));
  }

  /** The first field of a task salesos wrote whose CRM value is no longer what salesos wrote; empty when untouched. */
  private static Optional<String> editedSinceWritten(OutboxEntry r, Map<String, Object> current) {
    if (current.isEmpty()) {
      return Optional.of("the whole record (it could not be read)");
    }
    for (var e : new java.util.TreeMap<>(r.expected()).entrySet()) {
      var a = CanonicalJson.comparable(e.getValue());
      var b = CanonicalJson.comparable(current.get(e.getKey()));
      boolean same = a == null || b == null ? a == null && b == null
          : a.replace("\r\n", "\n").strip().equals(b.replace("\r\n", "\n").strip());
      if (!same) {
        return Optional.of(e.getKey());
      }
    }
    return Optional.empty();
  }

  private Write toWrite(OutboxEntry r, ObjectMapping mapping) {
    return switch (r.op()) {
      case UPSERT -> {
        var keyField = mapping.bindingFor("salesos_key").orElseThrow(() -> new IllegalArgumentException(
            "the mapping of " + mapping.crmObject() + " has no CRM field for salesos_key (the external id salesos upserts by)"));
        yield Write.upsert(r.idemKey(), keyField.crmField(), mapping.toCrm(r.sentFields()));
      }
      case UPDATE -> Write.update(r.idemKey(), r.recordId().orElseThrow(), mapping.toCrm(r.fields()));
      case DELETE -> Write.delete(r.idemKey(), r.recordId().orElseThrow());
    };
  }

  private JournalEntry entry(OutboxEntry r, Map<String, Object> before, Map<String, Object> after, String outcome,
      Optional<String> error) {
    return new JournalEntry(0, Optional.of(r.id()), r.idemKey(), r.source(), r.crmObject(), r.recordId(), r.op().name(),
        r.kind().code(), before == null ? Map.of() : before, after, r.ruleId(), r.ruleHash(), r.runId(), r.actor(),
        r.approvedBy(), outcome, error, clock.instant());
  }

  /** What a read-by-id gave: the records in canonical form, whether the connector reads by id, or why the read failed. */
  private record Fresh(Map<String, Map<String, Object>> records, Optional<String> failure, boolean byId) {
    Fresh(Map<String, Map<String, Object>> records, Optional<String> failure) {
      this(records, failure, failure.isEmpty());
    }
  }

  /**
   * The records about to be updated as the CRM holds them right now, in canonical form, when the
   * connector can read by id. An incremental pull may lag (HubSpot's search index, Salesforce's
   * settling window), and an edit inside that lag must still count as a conflict. A connector that
   * cannot read by id leaves the check to the freshly pulled mirror; a read that fails holds the
   * updates instead (see the caller).
   */
  private Fresh readById(CrmConnection connection, ObjectMapping mapping, List<String> ids) {
    var out = new java.util.HashMap<String, Map<String, Object>>();
    if (ids.isEmpty()) {
      return new Fresh(out, Optional.empty());
    }
    try {
      var records = connection.connector().read(mapping.crmObject(), mapping.crmFields(), ids);
      if (records.isEmpty()) {
        return new Fresh(out, Optional.empty(), false);
      }
      for (var raw : records.get()) {
        try {
          out.put(raw.id(), mapping.toCanonical(raw));
        } catch (IllegalArgumentException e) {
          log.warn("event=read_by_id_unreadable source={} object={} id={} reason=\"{}\"", connection.name(),
              mapping.crmObject(), raw.id(), e.getMessage());
        }
      }
      return new Fresh(out, Optional.empty());
    } catch (ConnectorException e) {
      log.warn("event=read_by_id_failed source={} object={} records={} kind={} reason=\"{}\"", connection.name(),
          mapping.crmObject(), ids.size(), e.kind(), e.getMessage());
      return new Fresh(out, Optional.of(e.kind() + ": " + e.getMessage()));
    }
  }
}
