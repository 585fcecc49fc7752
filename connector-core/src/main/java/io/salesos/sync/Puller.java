package io.salesos.sync;

import io.salesos.mapping.ObjectMapping;
import io.salesos.mirror.MirrorRecord;
import io.salesos.mirror.MirrorStore;
import io.salesos.mirror.QuarantineEntry;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.PullRequest;
import io.salesos.spi.RawRecord;
import java.util.ArrayList;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls one CRM object of one connection into the mirror, batch by batch from the stored
 * checkpoint, each batch applied with its checkpoint in one transaction. A record whose values
 * cannot be read goes to quarantine with its raw payload; the pull goes on.
 */
public final class Puller {

  private static final Logger log = LoggerFactory.getLogger(Puller.class);

  private final MirrorStore store;
  private final int batchSize;

  public Puller(MirrorStore store, int batchSize) {
    this.store = store;
    this.batchSize = batchSize;
  }

  /** What one pull of one object did. */
  public record PullStats(String source, String crmObject, int batches, int inserted, int updated, int unchanged,
      int deleted, int quarantined, Optional<String> error) {
    public int changed() {
      return inserted + updated + deleted;
    }
  }

  /** Pulls until the CRM has nothing more (or {@code maxBatches} batches, to share time fairly). */
  public PullStats pull(CrmConnection connection, ObjectMapping mapping, int maxBatches) {
    int batches = 0;
    int inserted = 0;
    int updated = 0;
    int unchanged = 0;
    int deleted = 0;
    int quarantined = 0;
    var columns = mapping.canonicalTypes();
    while (batches < maxBatches) {
      var checkpoint = store.checkpoint(connection.name(), mapping.crmObject());
      try {
        var batch = connection.connector().pull(
            new PullRequest(mapping.crmObject(), mapping.crmFields(), checkpoint, batchSize));
        var records = new ArrayList<MirrorRecord>(batch.records().size());
        var bad = new ArrayList<QuarantineEntry>();
        for (var m : batch.malformed()) {
          bad.add(new QuarantineEntry(m.id(), m.rawPayload(), m.reason()));
        }
        for (var r : batch.records()) {
          try {
            records.add(new MirrorRecord(r.id(), mapping.toCanonical(r), r.modifiedAt()));
          } catch (IllegalArgumentException e) {
            bad.add(new QuarantineEntry(Optional.of(r.id()), raw(r), e.getMessage()));
          }
        }
        var result = store.apply(connection.name(), mapping.crmObject(), mapping.canonicalObject(), columns, records,
            batch.deletions(), bad, batch.next());
        batches++;
        inserted += result.inserted();
        updated += result.updated();
        unchanged += result.unchanged();
        deleted += result.deleted();
        quarantined += result.quarantined();
        if (!bad.isEmpty()) {
          log.warn("event=quarantined source={} object={} records={} first_reason=\"{}\"", connection.name(),
              mapping.crmObject(), bad.size(), bad.get(0).reason());
        }
        if (!batch.hasMore()) {
          break;
        }
      } catch (ConnectorException e) {
        var reason = e.kind() + ": " + e.getMessage();
        store.recordPullError(connection.name(), mapping.crmObject(), reason);
        log.warn("event=pull_failed source={} object={} kind={} reason=\"{}\"", connection.name(), mapping.crmObject(),
            e.kind(), e.getMessage());
        return new PullStats(connection.name(), mapping.crmObject(), batches, inserted, updated, unchanged, deleted,
            quarantined, Optional.of(reason));
      }
    }
    if (inserted + updated + deleted > 0) {
      log.info("event=pulled source={} object={} batches={} inserted={} updated={} deleted={} quarantined={}",
          connection.name(), mapping.crmObject(), batches, inserted, updated, deleted, quarantined);
    }
    return new PullStats(connection.name(), mapping.crmObject(), batches, inserted, updated, unchanged, deleted,
        quarantined, Optional.empty());
  }

  /** The JSON a person sees in quarantine for a record whose values could not be read. */
  static String raw(RawRecord r) {
    var values = new java.util.TreeMap<String, Object>();
    r.fields().forEach((k, v) -> values.put(k, v == null ? null : v.toString()));
    return "{\"id\":\"" + r.id() + "\",\"modifiedAt\":\"" + r.modifiedAt() + "\",\"fields\":"
        + io.salesos.mirror.CanonicalJson.write(values) + "}";
  }
}
