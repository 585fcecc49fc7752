package io.salesos.testing;

import io.salesos.spi.ApiBudget;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.Connector;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.CrmSchema;
import io.salesos.spi.Deletion;
import io.salesos.spi.MalformedRecord;
import io.salesos.spi.PullBatch;
import io.salesos.spi.PullRequest;
import io.salesos.spi.RawRecord;
import io.salesos.spi.Write;
import io.salesos.spi.WriteResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small in-memory CRM for core's own unit tests: records with server-set modification stamps,
 * keyset paging by (stamp, id), deletions, upsert by external id, per-record validation errors and
 * scripted whole-call failures. The connector modules test against their real sandboxes instead.
 */
public final class MemoryCrm implements Connector {

  /** One stored record. */
  public record Stored(String id, Map<String, Object> fields, Instant stamp, boolean deleted) {}

  private final String name;
  private final Map<String, Map<String, Stored>> objects = new HashMap<>();
  private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  private final AtomicInteger ids = new AtomicInteger(1000);
  private final List<ConnectorException> scriptedFailures = new ArrayList<>();
  private final Map<String, String> rejectValue = new HashMap<>();
  private final Map<String, String> malformedIds = new HashMap<>();
  private int pushCalls;
  private int pullCalls;
  private int pageLimit = Integer.MAX_VALUE;
  private int pullsBeforeFailure = -1;
  private ConnectorException pullFailure;

  public MemoryCrm(String name) {
    this.name = name;
  }

  /** Saves records as a user would (one stamp for the whole call); returns their ids. */
  public synchronized List<String> save(String object, List<Map<String, Object>> records) {
    var stamp = Instant.ofEpochMilli(clock.addAndGet(1));
    var out = new ArrayList<String>();
    for (var r : records) {
      var id = r.containsKey("id") ? r.get("id").toString() : Integer.toString(ids.incrementAndGet());
      var fields = new LinkedHashMap<String, Object>(r);
      fields.remove("id");
      var old = table(object).get(id);
      if (old != null) {
        var merged = new LinkedHashMap<>(old.fields());
        merged.putAll(fields);
        fields = merged;
      }
      table(object).put(id, new Stored(id, fields, stamp, false));
      journal(object, id, stamp);
      out.add(id);
    }
    return out;
  }

  public synchronized void delete(String object, String id) {
    var old = table(object).get(id);
    var stamp = Instant.ofEpochMilli(clock.addAndGet(1));
    table(object).put(id, new Stored(id, old.fields(), stamp, true));
    journal(object, id, stamp);
  }

  /** One journal entry: a record of a streamed object was saved or deleted at {@code stamp}. */
  private record Entry(String object, String id, Instant stamp) {}

  private List<String> streamed = List.of();
  private final List<Entry> journal = new ArrayList<>();

  private void journal(String object, String id, Instant stamp) {
    if (streamed.contains(object)) {
      journal.add(new Entry(object, id, stamp));
    }
  }

  /**
   * Offers a change stream from now on carrying {@code objects}: every save, delete and pushed write
   * of one of them is journalled, and a read answers the records named after a position as they are
   * now (read by id, as HubSpot's journal is resolved), an archived one as a deletion.
   */
  public synchronized void streams(List<String> objects) {
    this.streamed = List.copyOf(objects);
  }

  @Override
  public synchronized Optional<io.salesos.spi.ChangeStream> changeStream() {
    if (streamed.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new io.salesos.spi.ChangeStream() {
      @Override
      public List<String> objects() {
        return streamed;
      }

      @Override
      public io.salesos.spi.StreamPosition head() {
        synchronized (MemoryCrm.this) {
          return new io.salesos.spi.StreamPosition(Integer.toString(journal.size()));
        }
      }

      @Override
      public io.salesos.spi.StreamBatch read(io.salesos.spi.StreamPosition from, Map<String, List<String>> fields,
          int maxEntries) {
        synchronized (MemoryCrm.this) {
          int start = from.isStart() ? 0 : Integer.parseInt(from.value());
          int end = Math.min(journal.size(), start + maxEntries);
          var named = new LinkedHashMap<String, java.util.LinkedHashSet<String>>();
          var committed = new HashMap<String, Instant>();
          for (var e : journal.subList(start, end)) {
            named.computeIfAbsent(e.object(), k -> new java.util.LinkedHashSet<>()).add(e.id());
            committed.put(io.salesos.spi.StreamBatch.key(e.object(), e.id()), e.stamp());
          }
          var records = new LinkedHashMap<String, List<RawRecord>>();
          var deletions = new LinkedHashMap<String, List<Deletion>>();
          named.forEach((object, ids) -> {
            for (var id : ids) {
              var s = table(object).get(id);
              if (s.deleted()) {
                deletions.computeIfAbsent(object, k -> new ArrayList<>()).add(new Deletion(id, s.stamp()));
              } else {
                var f = new LinkedHashMap<String, Object>();
                fields.getOrDefault(object, List.of()).forEach(k -> f.put(k, s.fields().get(k)));
                records.computeIfAbsent(object, k -> new ArrayList<>()).add(new RawRecord(id, f, s.stamp()));
              }
            }
          });
          return new io.salesos.spi.StreamBatch(records, deletions, committed,
              new io.salesos.spi.StreamPosition(Integer.toString(end)), end < journal.size(), end - start, Optional.empty());
        }
      }
    });
  }

  private Optional<io.salesos.spi.CurrencySettings> currencies = Optional.empty();

  /** The org's currencies and rates from now on (none by default: a single-currency org). */
  public synchronized void currencies(io.salesos.spi.CurrencySettings settings) {
    this.currencies = Optional.of(settings);
  }

  @Override
  public synchronized Optional<io.salesos.spi.CurrencySettings> currencies() {
    return currencies;
  }

  /** Changes a value without moving the stamp, as a Salesforce formula field does. */
  public synchronized void silentlySet(String object, String id, String field, Object value) {
    var old = table(object).get(id);
    var fields = new LinkedHashMap<>(old.fields());
    fields.put(field, value);
    table(object).put(id, new Stored(id, fields, old.stamp(), old.deleted()));
  }

  /** Removes a record with no trace (a hard delete past the recycle bin). */
  public synchronized void purge(String object, String id) {
    table(object).remove(id);
  }

  public synchronized Optional<Stored> get(String object, String id) {
    return Optional.ofNullable(table(object).get(id));
  }

  public synchronized List<Stored> all(String object) {
    return table(object).values().stream().filter(s -> !s.deleted()).toList();
  }

  /** The next {@code n} calls fail with {@code e}. */
  public synchronized void failNext(int n, ConnectorException e) {
    for (int i = 0; i < n; i++) {
      scriptedFailures.add(e);
    }
  }

  /** The next {@code pulls} pulls answer, the one after fails with {@code e}. */
  public synchronized void failAfter(int pulls, ConnectorException e) {
    this.pullsBeforeFailure = pulls;
    this.pullFailure = e;
  }

  /**
   * Reads by id are served from now on (like HubSpot's batch read), failing with {@code failure}
   * when one is given.
   */
  public synchronized void readsById(Optional<ConnectorException> failure) {
    this.readsById = true;
    this.readFailure = failure;
  }

  @Override
  public synchronized Optional<List<RawRecord>> read(String crmObject, List<String> fields, List<String> ids)
      throws ConnectorException {
    if (!readsById) {
      return Optional.empty();
    }
    if (readFailure.isPresent()) {
      throw readFailure.get();
    }
    var out = new ArrayList<RawRecord>();
    for (var id : ids) {
      var s = table(crmObject).get(id);
      if (s != null && !s.deleted()) {
        var f = new LinkedHashMap<String, Object>();
        fields.forEach(k -> f.put(k, s.fields().get(k)));
        out.add(new RawRecord(s.id(), f, s.stamp()));
      }
    }
    return Optional.of(out);
  }

  private boolean readsById;
  private Optional<ConnectorException> readFailure = Optional.empty();

  /** Writes whose {@code field} equals {@code value} fail with a validation error. */
  public synchronized void rejectWhen(String field, String value) {
    rejectValue.put(field, value);
  }

  /** This record is returned as unreadable by pulls. */
  public synchronized void malformed(String id, String raw) {
    malformedIds.put(id, raw);
  }

  public synchronized int pushCalls() {
    return pushCalls;
  }

  /** Answers at most {@code records} per pull, whatever the caller asks (as a HubSpot list page holds 100). */
  public synchronized void pageLimit(int records) {
    this.pageLimit = records;
  }

  public synchronized int pullCalls() {
    return pullCalls;
  }

  private Map<String, Stored> table(String object) {
    return objects.computeIfAbsent(object, k -> new TreeMap<>());
  }

  private void maybeFail() throws ConnectorException {
    if (!scriptedFailures.isEmpty()) {
      throw scriptedFailures.remove(0);
    }
  }

  @Override
  public String name() {
    return name;
  }

  private CrmSchema schema = new CrmSchema(List.of());

  /** What {@link #describe()} answers from now on; field types are canonical type names ({@code date}, {@code decimal}...). */
  public synchronized void describeAs(CrmSchema schema) {
    this.schema = schema;
  }

  private Optional<io.salesos.spi.StageVocabulary> stages = Optional.empty();
  private ConnectorException stagesFailure;

  /** The stages this CRM reports from now on (none by default: a connector that cannot read stages). */
  public synchronized void stages(io.salesos.spi.StageVocabulary vocabulary) {
    stages = Optional.of(vocabulary);
  }

  /** Every read of the stages fails with {@code e} (null: they are read again). */
  public synchronized void stagesFail(ConnectorException e) {
    stagesFailure = e;
  }

  @Override
  public synchronized Optional<io.salesos.spi.StageVocabulary> stageVocabulary() throws ConnectorException {
    if (stagesFailure != null) {
      throw stagesFailure;
    }
    return stages;
  }

  @Override
  public synchronized CrmSchema describe() {
    return schema;
  }

  @Override
  public Optional<io.salesos.model.FieldType> canonicalType(CrmSchema.CrmField field) {
    try {
      return Optional.of(io.salesos.model.FieldType.parse(field.type()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public synchronized PullBatch pull(PullRequest request) throws ConnectorException {
    pullCalls++;
    maybeFail();
    if (pullsBeforeFailure == 0) {
      pullsBeforeFailure = -1;
      throw pullFailure;
    }
    if (pullsBeforeFailure > 0) {
      pullsBeforeFailure--;
    }
    long stamp = Long.parseLong(request.checkpoint().get("stamp").orElse("0"));
    var afterId = request.checkpoint().get("id").orElse("");
    var sorted = table(request.crmObject()).values().stream()
        .filter(s -> s.stamp().toEpochMilli() > stamp || (s.stamp().toEpochMilli() == stamp && s.id().compareTo(afterId) > 0))
        .sorted(Comparator.comparing((Stored s) -> s.stamp()).thenComparing(Stored::id))
        .toList();
    var page = sorted.subList(0, Math.min(Math.min(request.maxRecords(), pageLimit), sorted.size()));
    var records = new ArrayList<RawRecord>();
    var deletions = new ArrayList<Deletion>();
    var malformed = new ArrayList<MalformedRecord>();
    for (var s : page) {
      if (s.deleted()) {
        deletions.add(new Deletion(s.id(), s.stamp()));
      } else if (malformedIds.containsKey(s.id())) {
        malformed.add(new MalformedRecord(Optional.of(s.id()), malformedIds.get(s.id()), "unparsable JSON"));
      } else {
        var f = new LinkedHashMap<String, Object>();
        request.fields().forEach(k -> f.put(k, s.fields().get(k)));
        records.add(new RawRecord(s.id(), f, s.stamp()));
      }
    }
    var next = page.isEmpty() ? request.checkpoint()
        : Checkpoint.of(Map.of("stamp", Long.toString(page.get(page.size() - 1).stamp().toEpochMilli()),
            "id", page.get(page.size() - 1).id()));
    return new PullBatch(records, deletions, malformed, next, sorted.size() > page.size());
  }

  @Override
  public synchronized List<WriteResult> push(String crmObject, List<Write> writes) throws ConnectorException {
    pushCalls++;
    maybeFail();
    if (writes.size() > maxWriteBatch()) {
      throw new ConnectorException(ConnectorException.Kind.PERMANENT, "too many writes in one call: " + writes.size());
    }
    var stamp = Instant.ofEpochMilli(clock.addAndGet(1));
    var out = new ArrayList<WriteResult>();
    for (var w : writes) {
      var bad = rejectValue.entrySet().stream()
          .filter(e -> e.getValue().equals(String.valueOf(w.fields().get(e.getKey())))).findFirst();
      if (bad.isPresent()) {
        out.add(WriteResult.failed(w.key(), "FIELD_CUSTOM_VALIDATION_EXCEPTION", bad.get().getKey() + " may not be " + bad.get().getValue(), false));
        continue;
      }
      switch (w.op()) {
        case UPSERT -> {
          var ext = w.externalIdField().orElseThrow();
          var existing = table(crmObject).values().stream()
              .filter(s -> !s.deleted() && w.key().equals(String.valueOf(s.fields().get(ext)))).findFirst();
          var id = existing.map(Stored::id).orElseGet(() -> Integer.toString(ids.incrementAndGet()));
          var fields = new LinkedHashMap<String, Object>(existing.map(Stored::fields).orElse(Map.of()));
          fields.putAll(w.fields());
          table(crmObject).put(id, new Stored(id, fields, stamp, false));
          journal(crmObject, id, stamp);
          out.add(WriteResult.ok(w.key(), id, existing.isEmpty()));
        }
        case UPDATE -> {
          var old = table(crmObject).get(w.id().orElseThrow());
          if (old == null || old.deleted()) {
            out.add(WriteResult.failed(w.key(), "ENTITY_IS_DELETED", "no such record", false));
          } else {
            var fields = new LinkedHashMap<>(old.fields());
            fields.putAll(w.fields());
            table(crmObject).put(old.id(), new Stored(old.id(), fields, stamp, false));
            journal(crmObject, old.id(), stamp);
            out.add(WriteResult.ok(w.key(), old.id(), false));
          }
        }
        case DELETE -> {
          var old = table(crmObject).get(w.id().orElseThrow());
          if (old != null) {
            table(crmObject).put(old.id(), new Stored(old.id(), old.fields(), stamp, true));
            journal(crmObject, old.id(), stamp);
          }
          out.add(WriteResult.ok(w.key(), w.id().orElseThrow(), false));
        }
      }
    }
    return out;
  }

  @Override
  public int maxWriteBatch() {
    return 100;
  }

  @Override
  public ApiBudget limits() {
    return ApiBudget.UNKNOWN;
  }
}
