package io.salesos.sync;

import io.salesos.connection.CrmConnection;
import io.salesos.mapping.ObjectMapping;
import io.salesos.mirror.MirrorRecord;
import io.salesos.mirror.MirrorStore;
import io.salesos.mirror.QuarantineEntry;
import io.salesos.spi.ChangeStream;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.StreamBatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows each connection's change stream into the mirror: reads from the stored position, applies
 * the records it brings and stores the position after them in one transaction (so a crash replays
 * from the last applied position and skips nothing), and when the stream cannot go on (a gap, an
 * overflow, an expired position) takes the stream's head, pulls every mapped object from its
 * checkpoint with the keyset pull, and resumes from that head: changes made during the pull come
 * again from the stream, and applying them twice changes nothing. The scheduled poll and the nightly
 * reconcile stay as they were.
 */
public final class StreamFollower {

  private static final Logger log = LoggerFactory.getLogger(StreamFollower.class);

  private final MirrorStore mirror;
  private final StreamPositions positions;
  private final ObjectLocks locks;
  private final Pauses pauses;
  private final Function<String, List<Puller.PullStats>> pullConnection;
  private final java.util.function.BiFunction<CrmConnection, ObjectMapping, Puller.PullStats> pullObject;
  private final int maxEntries;
  private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
  /** How long the last stream read took (journal, entry files and reads by id), for the log. */
  private final java.util.concurrent.atomic.AtomicLong readNanos = new java.util.concurrent.atomic.AtomicLong();
  private final Map<String, AtomicLong> fallbacks = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastRead = new ConcurrentHashMap<>();
  private final java.time.Clock clock;
  /** salesos's write journal: what it last wrote to a record, to know its own writes coming back on the stream. */
  private final io.salesos.journal.Journal journal;
  /**
   * Told the connection's name and the deal ids after a batch changed deals in its mirror (their
   * amounts are converted then, as after a pull, those deals only).
   */
  private final java.util.function.BiConsumer<String, Set<String>> applied;

  StreamFollower(MirrorStore mirror, StreamPositions positions, ObjectLocks locks, Pauses pauses,
      Function<String, List<Puller.PullStats>> pullConnection,
      java.util.function.BiFunction<CrmConnection, ObjectMapping, Puller.PullStats> pullObject, int maxEntries,
      java.time.Clock clock, java.util.function.BiConsumer<String, Set<String>> applied, io.salesos.journal.Journal journal) {
    this.applied = applied;
    this.journal = journal;
    this.mirror = mirror;
    this.positions = positions;
    this.locks = locks;
    this.pauses = pauses;
    this.pullConnection = pullConnection;
    this.pullObject = pullObject;
    this.maxEntries = maxEntries;
    this.clock = clock;
  }

  /**
   * What one step of a connection's stream did: the records it changed per canonical object, the
   * CRM commit time of each changed record ("canonical/id"), whether it fell back to the pull and
   * why, and a failure that left the position where it was.
   */
  public record Step(String source, boolean streaming, int entries, Map<String, Set<String>> changed,
      Map<String, Instant> committedAt, boolean hasMore, Optional<ChangeStream.Interruption> fellBack,
      Optional<String> error) {

    static Step notStreaming(String source) {
      return new Step(source, false, 0, Map.of(), Map.of(), false, Optional.empty(), Optional.empty());
    }

    public int changes() {
      return changed.values().stream().mapToInt(Set::size).sum();
    }
  }

  /** Whether the connection's connector offers a change stream. */
  public static boolean streams(CrmConnection c) {
    return c.connector().changeStream().isPresent();
  }

  /** The mapped objects the stream carries; the rest are polled only. */
  static List<ObjectMapping> streamed(CrmConnection c, ChangeStream stream) {
    var carried = new java.util.HashSet<String>();
    stream.objects().forEach(o -> carried.add(o.toLowerCase(Locale.ROOT)));
    return c.mapping().objects().stream().filter(m -> carried.contains(m.crmObject().toLowerCase(Locale.ROOT))).toList();
  }

  /** Reads one batch of a connection's stream into the mirror (or falls back to the pull). */
  public Step step(CrmConnection c) {
    var stream = c.connector().changeStream();
    if (stream.isEmpty() || pauses.of(c.name()).isPresent()) {
      return Step.notStreaming(c.name());
    }
    var objects = streamed(c, stream.get());
    if (objects.isEmpty()) {
      return Step.notStreaming(c.name());
    }
    try {
      if (subscribed.add(c.name())) {
        // the derived objects were pulled with the load and are pulled by the first poll, which runs at once:
        // the first streamed batch does not pull them again
        lastUnstreamedPull.putIfAbsent(c.name(), clock.instant());
        try {
          stream.get().subscribe(objects.stream().map(ObjectMapping::crmObject).toList());
        } catch (ConnectorException | RuntimeException e) {
          subscribed.remove(c.name());
          throw e;
        }
      }
      var stored = positions.of(c.name());
      if (stored.isEmpty()) {
        // first start: changes before the head are the keyset pull's (the poll runs as before)
        var head = stream.get().head();
        positions.save(c.name(), head);
        log.info("event=stream_started source={} position={}", c.name(), head);
        return new Step(c.name(), true, 0, Map.of(), Map.of(), false, Optional.empty(), Optional.empty());
      }
      var fields = new LinkedHashMap<String, List<String>>();
      objects.forEach(m -> fields.put(m.crmObject(), m.crmFields()));
      long t0 = System.nanoTime();
      var batch = stream.get().read(stored.get().position(), fields, maxEntries, ownWrites(c));
      readNanos.set(System.nanoTime() - t0);
      lastRead.put(c.name(), clock.instant());
      var step = apply(c, objects, batch);
      if (batch.interruption().isPresent()) {
        return fallBack(c, stream.get(), batch.interruption().get(), step);
      }
      return step;
    } catch (ConnectorException e) {
      failures.computeIfAbsent(c.name(), k -> new AtomicLong()).incrementAndGet();
      lastProblem.put(c.name(), clock.instant());
      log.warn("event=stream_read_failed source={} kind={} reason=\"{}\"", c.name(), e.kind(), e.getMessage());
      return new Step(c.name(), true, 0, Map.of(), Map.of(), false, Optional.empty(),
          Optional.of(e.kind() + ": " + e.getMessage()));
    }
  }

  private Step apply(CrmConnection c, List<ObjectMapping> objects, StreamBatch batch) {
    var changes = new ArrayList<MirrorStore.ObjectChanges>();
    var changed = new LinkedHashMap<String, Set<String>>();
    var committed = new HashMap<String, Instant>();
    int count = 0;
    for (var m : objects) {
      var raw = batch.records().getOrDefault(m.crmObject(), List.of());
      var deletions = batch.deletions().getOrDefault(m.crmObject(), List.of());
      if (raw.isEmpty() && deletions.isEmpty()) {
        continue;
      }
      var records = new ArrayList<MirrorRecord>();
      var bad = new ArrayList<QuarantineEntry>();
      var ids = changed.computeIfAbsent(m.canonicalObject(), k -> new LinkedHashSet<>());
      for (var r : raw) {
        try {
          records.add(new MirrorRecord(r.id(), m.toCanonical(r), r.modifiedAt()));
        } catch (IllegalArgumentException e) {
          bad.add(new QuarantineEntry(Optional.of(r.id()), Puller.raw(r), e.getMessage()));
        }
        ids.add(r.id());
      }
      deletions.forEach(d -> ids.add(d.id()));
      for (var id : ids) {
        var at = batch.committedAt().get(StreamBatch.key(m.crmObject(), id));
        if (at != null) {
          committed.put(m.canonicalObject() + "/" + id, at);
        }
      }
      count += raw.size() + deletions.size();
      changes.add(new MirrorStore.ObjectChanges(m.crmObject(), m.canonicalObject(), m.canonicalTypes(), records,
          deletions, bad));
    }
    int total = count;
    long t0 = System.nanoTime();
    // the objects' locks, in one order, so the poll never applies an older read over a newer one
    var names = changes.stream().map(MirrorStore.ObjectChanges::crmObject).sorted().toList();
    holdingAll(c.name(), names, 0, () -> mirror.applyAll(c.name(), changes,
        tx -> positions.save(tx, c.name(), batch.next(), batch.entries(), total)));
    if (total > 0) {
      log.info("event=streamed source={} entries={} changes={} position={} read_ms={} apply_ms={}", c.name(), batch.entries(),
          total, batch.next(), readNanos.get() / 1_000_000, (System.nanoTime() - t0) / 1_000_000);
      // the batch's deals' amounts are converted (all deals when the rates changed since the last full conversion)
      applied.accept(c.name(), changed.getOrDefault(io.salesos.model.CanonicalSchema.DEAL, Set.of()));
    }
    return new Step(c.name(), true, batch.entries(), changed, committed, batch.hasMore(), Optional.empty(), Optional.empty());
  }

  /**
   * salesos's own writes as the write journal holds them: a field value is an echo when it is what
   * salesos last wrote (and the CRM acknowledged) to that field of that record, written back as the
   * CRM value. A value it cannot compare (a field salesos never writes, a value written otherwise) is
   * not an echo, so the record is read: reading too much is harmless, skipping a person's edit is not.
   */
  private ChangeStream.OwnWrites ownWrites(CrmConnection c) {
    return (crmObject, id, crmField, value) -> {
      var m = c.mapping().forCrmObject(crmObject);
      if (m.isEmpty()) {
        return false;
      }
      var bindings = m.get().fields().stream().filter(f -> f.crmField().equals(crmField) && !f.readOnly()).toList();
      if (bindings.isEmpty()) {
        return false;
      }
      var last = journal.lastWrittenValues(c.name(), m.get().crmObject(), id);
      for (var b : bindings) {
        if (last.containsKey(b.canonicalField())) {
          try {
            if (java.util.Objects.equals(b.write(last.get(b.canonicalField())), value)) {
              return true;
            }
          } catch (RuntimeException e) {
            return false;
          }
        }
      }
      return false;
    };
  }

  private <T> T holdingAll(String source, List<String> objects, int from, java.util.function.Supplier<T> body) {
    if (from == objects.size()) {
      return body.get();
    }
    return locks.holding(source, objects.get(from), () -> holdingAll(source, objects, from + 1, body));
  }

  /**
   * The stream cannot continue: the keyset pull of every mapped object from its checkpoint takes
   * over, and the stream resumes from the head taken before it. A pull that fails leaves the
   * position where it was, so the next step falls back again; nothing is skipped.
   */
  private Step fallBack(CrmConnection c, ChangeStream stream, ChangeStream.Interruption why, Step read)
      throws ConnectorException {
    lastProblem.put(c.name(), clock.instant());
    log.warn("event=stream_fallback source={} kind={} reason=\"{}\" action=\"keyset pull from the last checkpoint\"",
        c.name(), why.kind(), why.reason());
    var head = stream.head();
    var stats = pullConnection.apply(c.name());
    var failed = stats.stream().filter(s -> s.error().isPresent()).findFirst();
    var changed = new LinkedHashMap<>(read.changed());
    if (failed.isPresent()) {
      log.warn("event=stream_fallback_incomplete source={} object={} reason=\"{}\"", c.name(), failed.get().crmObject(),
          failed.get().error().get());
      return new Step(c.name(), true, read.entries(), changed, read.committedAt(), false, Optional.of(why),
          Optional.of("the fallback pull failed: " + failed.get().error().get()));
    }
    positions.fellBack(c.name(), head, why);
    fallbacks.computeIfAbsent(c.name(), k -> new AtomicLong()).incrementAndGet();
    int pulled = stats.stream().mapToInt(Puller.PullStats::changed).sum();
    log.info("event=stream_resumed source={} position={} pulled_changes={}", c.name(), head, pulled);
    // what the pull changed is not known record by record: mark every mapped object as touched
    if (pulled > 0) {
      c.mapping().objects().forEach(m -> changed.computeIfAbsent(m.canonicalObject(), k -> new LinkedHashSet<>()));
    }
    return new Step(c.name(), true, read.entries(), changed, read.committedAt(), false, Optional.of(why), Optional.empty());
  }

  /**
   * Pulls the mapped objects the stream does not carry (derived ones: stage history, deal contacts,
   * owners), so a streamed change is evaluated with them as fresh as the poll would have them.
   */
  public List<Puller.PullStats> pullUnstreamed(CrmConnection c) {
    var stream = c.connector().changeStream();
    if (stream.isEmpty()) {
      return List.of();
    }
    var carried = streamed(c, stream.get());
    return c.mapping().objects().stream().filter(m -> !carried.contains(m)).map(m -> pullObject.apply(c, m)).toList();
  }

  private final Map<String, Instant> lastUnstreamedPull = new ConcurrentHashMap<>();

  /**
   * As {@link #pullUnstreamed}, at most once per {@code every} for a connection: what the stream does
   * not carry changes rarely (owners) or derives from records the stream brought (deal contacts, stage
   * history, read from HubSpot's lagging search index, which shows a change of a moment ago only
   * seconds later), so pulling them after every batch cost several calls a batch and bought little.
   * Empty when it is not time yet.
   */
  public List<Puller.PullStats> pullUnstreamed(CrmConnection c, java.time.Duration every) {
    var now = clock.instant();
    var last = lastUnstreamedPull.get(c.name());
    if (last != null && last.plus(every).isAfter(now)) {
      return List.of();
    }
    lastUnstreamedPull.put(c.name(), now);
    return pullUnstreamed(c);
  }

  private final Map<String, Instant> lastProblem = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastPoll = new ConcurrentHashMap<>();

  /**
   * Whether the scheduled poll of {@code source} should run now: always for a connection without a
   * stream, or whose stream failed, fell back or was not read in the last {@code 3 x poll}; otherwise
   * once every {@code poll x factor}. Records the poll when it answers yes.
   */
  public boolean pollDue(CrmConnection c, java.time.Duration poll, int factor) {
    var now = clock.instant();
    boolean healthy = streams(c) && lastRead.containsKey(c.name())
        && lastRead.get(c.name()).isAfter(now.minus(poll.multipliedBy(3)))
        && (!lastProblem.containsKey(c.name()) || lastProblem.get(c.name()).isBefore(now.minus(poll.multipliedBy(factor))));
    var last = lastPoll.get(c.name());
    if (healthy && last != null && last.isAfter(now.minus(poll.multipliedBy(factor)))) {
      return false;
    }
    lastPoll.put(c.name(), now);
    return true;
  }

  /** Fallbacks to the pull since this daemon started, per connection. */
  public Map<String, Long> fallbacks() {
    var out = new java.util.TreeMap<String, Long>();
    fallbacks.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Failed stream reads since this daemon started, per connection. */
  public Map<String, Long> failures() {
    var out = new java.util.TreeMap<String, Long>();
    failures.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** When each connection's stream was last read successfully by this daemon. */
  public Map<String, Instant> lastRead() {
    return Map.copyOf(lastRead);
  }

  /** One connection's stream state as the mirror holds it (read-only, for the status page). */
  public static Optional<StreamPositions.State> positionOf(io.salesos.mirror.Database database, String source) {
    return new StreamPositions(database, java.time.Clock.systemUTC()).of(source);
  }

  /** Every connection's stream state as the mirror holds it (read-only, for /metrics). */
  public static List<StreamPositions.State> positions(io.salesos.mirror.Database database) {
    return new StreamPositions(database, java.time.Clock.systemUTC()).all();
  }

  public StreamPositions positions() {
    return positions;
  }
}
