package io.salesos.sync;

import io.salesos.mirror.CanonicalJson;
import io.salesos.connection.CrmConnection;
import io.salesos.mapping.ObjectMapping;
import io.salesos.mirror.MirrorRecord;
import io.salesos.mirror.MirrorStore;
import io.salesos.mirror.QuarantineEntry;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.Deletion;
import io.salesos.spi.PullRequest;
import io.salesos.spi.RawRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls one CRM object of one connection into the mirror, batch by batch from the stored
 * checkpoint, each batch applied with its checkpoint in one transaction. A record whose values
 * cannot be read goes to quarantine with its raw payload; the pull goes on.
 *
 * <p>A batch gathers connector pages (a HubSpot list page holds 100 records) until it holds
 * {@code batchSize} records, so the per-transaction costs are paid once per batch, not per page;
 * a crash still replays at most that one batch. While one batch is applied, a fetcher thread
 * already reads and maps the next one from the checkpoint the applied batch will store, so the CRM
 * and the database work at the same time. The connector is still called from one thread at a
 * time for an object, and at most three batches are in memory (applied, queued, being read).
 */
public final class Puller {

  private static final Logger log = LoggerFactory.getLogger(Puller.class);

  private final MirrorStore store;
  private final int batchSize;
  private final ObjectLocks locks;
  private final PullProgress progress;

  Puller(MirrorStore store, int batchSize, ObjectLocks locks, PullProgress progress) {
    this.store = store;
    this.batchSize = batchSize;
    this.locks = locks;
    this.progress = progress;
  }

  /** What one pull of one object did. */
  public record PullStats(String source, String crmObject, int batches, int inserted, int updated, int unchanged,
      int deleted, int quarantined, Optional<String> error) {
    public int changed() {
      return inserted + updated + deleted;
    }
  }

  /** One mapped batch ready to apply (with its records' texts, or null), or the failure that ended the reading. */
  private record Fetched(List<MirrorRecord> records, MirrorStore.RowTexts texts, List<Deletion> deletions,
      List<QuarantineEntry> bad, Checkpoint next, boolean hasMore, Optional<ConnectorException> failure,
      Optional<RuntimeException> bug) {

    boolean hasChanges() {
      return !records.isEmpty() || !deletions.isEmpty() || !bad.isEmpty();
    }
  }

  /**
   * Pulls until the CRM has nothing more (or {@code maxBatches} batches, to share time fairly).
   * A pull of the same object already under way on another thread is waited for first.
   */
  public PullStats pull(CrmConnection connection, ObjectMapping mapping, int maxBatches) {
    return locks.holding(connection.name(), mapping.crmObject(), () -> pullHolding(connection, mapping, maxBatches));
  }

  private PullStats pullHolding(CrmConnection connection, ObjectMapping mapping, int maxBatches) {
    int batches = 0;
    int inserted = 0;
    int updated = 0;
    int unchanged = 0;
    int deleted = 0;
    int quarantined = 0;
    var columns = mapping.canonicalTypes();
    var start = store.checkpoint(connection.name(), mapping.crmObject());
    // recorded before the first read: a pull that reads to the end has mirrored every change made before this
    var startedAt = progress.started(connection.name(), mapping.crmObject());
    boolean readToEnd = false;
    try (var fetcher = new Fetcher(connection, mapping, start, maxBatches)) {
      while (batches < maxBatches) {
        var batch = fetcher.next();
        // a batch the fetcher read before a failure still lands, with its checkpoint
        if (batch.hasChanges() || batch.failure().isEmpty() && batch.bug().isEmpty()) {
          var result = batch.texts() == null
              ? store.apply(connection.name(), mapping.crmObject(), mapping.canonicalObject(), columns,
                  batch.records(), batch.deletions(), batch.bad(), batch.next())
              : store.apply(connection.name(), mapping.crmObject(), mapping.canonicalObject(), columns,
                  batch.records(), batch.texts(), batch.deletions(), batch.bad(), batch.next());
          batches++;
          inserted += result.inserted();
          updated += result.updated();
          unchanged += result.unchanged();
          deleted += result.deleted();
          quarantined += result.quarantined();
          if (!batch.bad().isEmpty()) {
            log.warn("event=quarantined source={} object={} records={} first_reason=\"{}\"", connection.name(),
                mapping.crmObject(), batch.bad().size(), batch.bad().get(0).reason());
          }
        }
        if (batch.bug().isPresent()) {
          progress.ended(connection.name(), mapping.crmObject(), true, String.valueOf(batch.bug().get().getMessage()));
          throw batch.bug().get();
        }
        if (batch.failure().isPresent()) {
          var e = batch.failure().get();
          var reason = e.kind() + ": " + e.getMessage();
          store.recordPullError(connection.name(), mapping.crmObject(), reason);
          progress.ended(connection.name(), mapping.crmObject(), true, reason);
          log.warn("event=pull_failed source={} object={} kind={} reason=\"{}\"", connection.name(), mapping.crmObject(),
              e.kind(), e.getMessage());
          return new PullStats(connection.name(), mapping.crmObject(), batches, inserted, updated, unchanged, deleted,
              quarantined, Optional.of(reason));
        }
        if (!batch.hasMore()) {
          readToEnd = true;
          break;
        }
      }
    }
    if (readToEnd) {
      progress.completed(connection.name(), mapping.crmObject(), startedAt);
    } else {
      progress.ended(connection.name(), mapping.crmObject(), false, "stopped after " + batches + " batches");
    }
    if (inserted + updated + deleted > 0) {
      log.info("event=pulled source={} object={} batches={} inserted={} updated={} deleted={} quarantined={}",
          connection.name(), mapping.crmObject(), batches, inserted, updated, deleted, quarantined);
    }
    return new PullStats(connection.name(), mapping.crmObject(), batches, inserted, updated, unchanged, deleted,
        quarantined, Optional.empty());
  }

  /**
   * Reads and maps batches on a thread of its own, one ahead of the applier. Closing it waits for
   * a connector call under way to end, so the connector is never used by two threads at once.
   */
  private final class Fetcher implements AutoCloseable {

    private final CrmConnection connection;
    private final ObjectMapping mapping;
    private final BlockingQueue<Fetched> ready = new ArrayBlockingQueue<>(1);
    private final Thread thread;
    private volatile boolean stopped;

    Fetcher(CrmConnection connection, ObjectMapping mapping, Checkpoint start, int maxBatches) {
      this.connection = connection;
      this.mapping = mapping;
      this.thread = new Thread(() -> run(start, maxBatches), "salesos-fetch-" + connection.name() + "-" + mapping.crmObject());
      thread.setDaemon(true);
      thread.start();
    }

    Fetched next() {
      try {
        return ready.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + connection.name() + "/" + mapping.crmObject(), e);
      }
    }

    private void run(Checkpoint start, int maxBatches) {
      var checkpoint = start;
      try {
        for (int n = 0; n < maxBatches && !stopped; n++) {
          var batch = read(checkpoint);
          ready.put(batch);
          if (!batch.hasMore() || batch.failure().isPresent() || batch.bug().isPresent()) {
            return;
          }
          checkpoint = batch.next();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Connector pages from {@code checkpoint} until a batch is full or the CRM has no more. */
    private Fetched read(Checkpoint checkpoint) {
      var records = new ArrayList<MirrorRecord>();
      var deletions = new ArrayList<Deletion>();
      var bad = new ArrayList<QuarantineEntry>();
      var next = checkpoint;
      boolean hasMore = true;
      try {
        while (hasMore && !stopped) {
          int room = batchSize - records.size() - deletions.size() - bad.size();
          if (room <= 0) {
            break;
          }
          var page = connection.connector().pull(new PullRequest(mapping.crmObject(), mapping.crmFields(), next, room));
          for (var m : page.malformed()) {
            bad.add(new QuarantineEntry(m.id(), m.rawPayload(), m.reason()));
          }
          for (var r : page.records()) {
            try {
              records.add(new MirrorRecord(r.id(), mapping.toCanonical(r), r.modifiedAt()));
            } catch (IllegalArgumentException e) {
              bad.add(new QuarantineEntry(Optional.of(r.id()), raw(r), e.getMessage()));
            }
          }
          deletions.addAll(page.deletions());
          next = page.next();
          hasMore = page.hasMore();
          if (page.isEmpty()) {
            // a page that moves only the cursor (a phase change) ends the batch, as a lone page did
            break;
          }
        }
        return new Fetched(records, texts(records), deletions, bad, next, hasMore, Optional.empty(), Optional.empty());
      } catch (ConnectorException e) {
        return new Fetched(records, texts(records), deletions, bad, next, true, Optional.of(e), Optional.empty());
      } catch (RuntimeException e) {
        return new Fetched(records, texts(records), deletions, bad, next, true, Optional.empty(), Optional.of(e));
      }
    }

    /**
     * Each record's JSON and row hash, made here while the applier writes the batch before; null
     * when a value cannot be written, so the apply makes them itself and reports the failure as before.
     */
    private MirrorStore.RowTexts texts(List<MirrorRecord> records) {
      try {
        return MirrorStore.RowTexts.of(mapping.canonicalTypes().keySet(), records);
      } catch (RuntimeException e) {
        return null;
      }
    }

    @Override
    public void close() {
      stopped = true;
      ready.clear();
      try {
        // let the call under way end (a queued batch is dropped above, so the fetcher cannot block on put)
        while (thread.isAlive()) {
          ready.clear();
          thread.join(50);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The JSON a person sees in quarantine for a record whose values could not be read. */
  static String raw(RawRecord r) {
    var values = new java.util.TreeMap<String, Object>();
    r.fields().forEach((k, v) -> values.put(k, v == null ? null : v.toString()));
    return "{\"id\":\"" + r.id() + "\",\"modifiedAt\":\"" + r.modifiedAt() + "\",\"fields\":"
        + CanonicalJson.write(values) + "}";
  }
}
