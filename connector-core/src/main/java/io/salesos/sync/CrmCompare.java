package io.salesos.sync;

import io.salesos.connection.CrmConnection;
import io.salesos.mapping.ObjectMapping;
import io.salesos.mirror.MirrorRecord;
import io.salesos.mirror.MirrorStore;
import io.salesos.mirror.QuarantineEntry;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.Deletion;
import io.salesos.spi.PullRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nightly full compare: re-reads every record of a CRM object from the start, repairs values
 * that changed without moving the modification stamp (formula fields), and marks deleted what the
 * CRM no longer has (hard deletes that left no trace). It never moves the incremental checkpoint.
 */
public final class CrmCompare {

  private static final Logger log = LoggerFactory.getLogger(CrmCompare.class);

  private final MirrorStore store;
  private final int batchSize;
  private final Clock clock;
  private final ObjectLocks locks;

  CrmCompare(MirrorStore store, int batchSize, Clock clock, ObjectLocks locks) {
    this.store = store;
    this.batchSize = batchSize;
    this.clock = clock;
    this.locks = locks;
  }

  /** What a reconcile of one object found and repaired. */
  public record Result(String source, String crmObject, int seen, int repaired, int vanished, Optional<String> error) {}

  /** Reconciles one object, after any pull of it under way on another thread has ended. */
  public Result reconcile(CrmConnection connection, ObjectMapping mapping) {
    return locks.holding(connection.name(), mapping.crmObject(), () -> reconcileHolding(connection, mapping));
  }

  private Result reconcileHolding(CrmConnection connection, ObjectMapping mapping) {
    var seen = new HashSet<String>();
    var checkpoint = Checkpoint.INITIAL;
    int repaired = 0;
    var columns = mapping.canonicalTypes();
    try {
      while (true) {
        var batch = connection.connector().pull(new PullRequest(mapping.crmObject(), mapping.crmFields(), checkpoint, batchSize));
        var records = new ArrayList<MirrorRecord>();
        var bad = new ArrayList<QuarantineEntry>();
        for (var r : batch.records()) {
          seen.add(r.id());
          try {
            records.add(new MirrorRecord(r.id(), mapping.toCanonical(r), r.modifiedAt()));
          } catch (IllegalArgumentException e) {
            bad.add(new QuarantineEntry(Optional.of(r.id()), Puller.raw(r), e.getMessage()));
          }
        }
        batch.malformed().forEach(m -> {
          m.id().ifPresent(seen::add);
          bad.add(new QuarantineEntry(m.id(), m.rawPayload(), m.reason()));
        });
        var applied = store.apply(connection.name(), mapping.crmObject(), mapping.canonicalObject(), columns, records,
            batch.deletions(), bad, Optional.empty());
        repaired += applied.changed();
        checkpoint = batch.next();
        if (!batch.hasMore()) {
          break;
        }
      }
    } catch (ConnectorException e) {
      log.warn("event=reconcile_failed source={} object={} reason=\"{}\"", connection.name(), mapping.crmObject(), e.getMessage());
      return new Result(connection.name(), mapping.crmObject(), seen.size(), repaired, 0, Optional.of(e.getMessage()));
    }
    var vanished = new ArrayList<Deletion>();
    for (var id : store.liveIds(connection.name(), mapping.crmObject(), mapping.canonicalObject())) {
      if (!seen.contains(id)) {
        vanished.add(new Deletion(id, clock.instant()));
      }
    }
    if (!vanished.isEmpty()) {
      store.apply(connection.name(), mapping.crmObject(), mapping.canonicalObject(), columns, List.of(), vanished, List.of(),
          Optional.empty());
    }
    log.info("event=reconciled source={} object={} seen={} repaired={} vanished={}", connection.name(), mapping.crmObject(),
        seen.size(), repaired, vanished.size());
    return new Result(connection.name(), mapping.crmObject(), seen.size(), repaired, vanished.size(), Optional.empty());
  }
}
