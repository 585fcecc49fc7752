package io.salesos.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import io.salesos.spi.ChangeStream;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.Deletion;
import io.salesos.spi.RawRecord;
import io.salesos.spi.StreamBatch;
import io.salesos.spi.StreamPosition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HubSpot's webhooks journal (2026-03) as a {@link ChangeStream}: one OBJECT subscription per
 * mapped object type (CREATE, UPDATE, DELETE), the local journal read entry by entry with
 * offset/{offset}/next, each entry's events fetched from its pre-signed URL. Events name a record
 * and at most one changed property, so the records are read again by id (batch read, 100 ids a
 * call) with the mapped fields; an id the batch read no longer finds was archived. An offset the
 * journal answers 404 for has expired (three days) and an entry whose file is gone is a gap: both
 * interrupt the stream, and core pulls from its checkpoints instead. Facts and sources:
 * docs/change-streams.md.
 */
final class JournalStream implements ChangeStream {

  private static final Logger LOG = LoggerFactory.getLogger(JournalStream.class);
  static final String VERSION = "2026-03";
  private static final String JOURNAL = "/webhooks-journal/journal-local/" + VERSION;
  private static final String SUBSCRIPTIONS = "/webhooks-journal/subscriptions/" + VERSION;
  /** HubSpot's object type ids for the objects the journal carries. */
  static final Map<String, String> TYPE_IDS = Map.of("contacts", "0-1", "companies", "0-2", "deals", "0-3",
      "tasks", "0-27", "meetings", "0-47", "calls", "0-48", "notes", "0-46", "emails", "0-49");

  private final HubSpotClient client;
  private final HubSpotConnector connector;

  private final java.time.Clock clock;

  JournalStream(HubSpotClient journalClient, HubSpotConnector connector, java.time.Clock clock) {
    this.client = journalClient;
    this.connector = connector;
    this.clock = clock;
  }

  @Override
  public List<String> objects() {
    return List.copyOf(new java.util.TreeSet<>(TYPE_IDS.keySet()));
  }

  @Override
  public void subscribe(List<String> crmObjects) throws ConnectorException {
    var have = new HashMap<String, Set<String>>();
    for (var s : client.get(SUBSCRIPTIONS).path("results")) {
      var actions = new java.util.HashSet<String>();
      s.path("actions").forEach(a -> actions.add(a.asText()));
      // a subscription narrowed to some properties would hide changes of the others
      if (s.path("properties").isEmpty()) {
        have.put(s.path("objectTypeId").asText(), actions);
      }
    }
    for (var object : crmObjects) {
      var typeId = TYPE_IDS.get(object.toLowerCase(java.util.Locale.ROOT));
      if (typeId == null || have.getOrDefault(typeId, Set.of()).containsAll(ACTIONS)) {
        continue;
      }
      var body = new LinkedHashMap<String, Object>();
      body.put("subscriptionType", "OBJECT");
      body.put("actions", ACTIONS);
      body.put("objectTypeId", typeId);
      body.put("objectIds", List.of());
      body.put("properties", List.of());
      client.post(SUBSCRIPTIONS, body);
      LOG.info("event=journal_subscribed object={} object_type_id={}", object, typeId);
    }
  }

  private static final List<String> ACTIONS = List.of("CREATE", "UPDATE", "DELETE");

  /**
   * The latest entry's offset; on an empty journal "earliest@" and the time, so that a reader who
   * comes back more than three days later knows entries may have come and expired meanwhile.
   */
  @Override
  public StreamPosition head() throws ConnectorException {
    var latest = client.get(JOURNAL + "/latest");
    return latest.has("currentOffset") ? new StreamPosition(latest.get("currentOffset").asText())
        : new StreamPosition(EARLIEST + clock.millis());
  }

  private static final String EARLIEST = "earliest@";
  /** How long HubSpot keeps journal entries. */
  static final java.time.Duration RETENTION = java.time.Duration.ofDays(3);

  @Override
  public StreamBatch read(StreamPosition from, Map<String, List<String>> fields, int maxEntries) throws ConnectorException {
    return read(from, fields, maxEntries, OwnWrites.NONE);
  }

  @Override
  public StreamBatch read(StreamPosition from, Map<String, List<String>> fields, int maxEntries, OwnWrites own)
      throws ConnectorException {
    var byType = new HashMap<String, String>();
    TYPE_IDS.forEach((object, typeId) -> byType.put(typeId, object));
    // per object: ids changed (in order) and ids deleted, with the newest commit time of each
    var changed = new LinkedHashMap<String, LinkedHashSet<String>>();
    var deleted = new LinkedHashMap<String, Map<String, Instant>>();
    var committed = new HashMap<String, Instant>();
    var position = from;
    boolean fromEarliest = from.isStart() || from.value().startsWith(EARLIEST);
    if (from.value().startsWith(EARLIEST)) {
      long since;
      try {
        since = Long.parseLong(from.value().substring(EARLIEST.length()));
      } catch (NumberFormatException e) {
        throw new ConnectorException(ConnectorException.Kind.PERMANENT, "not a journal position: " + from);
      }
      if (clock.millis() - since > RETENTION.toMillis()) {
        return StreamBatch.interrupted(from, new Interruption(Interruption.Kind.EXPIRED,
            "the journal was empty at " + Instant.ofEpochMilli(since) + ", more than three days ago: entries may have expired"));
      }
    }
    int entries = 0;
    boolean more = false;
    Optional<Interruption> interruption = Optional.empty();
    // "object/id" -> whether every event of the record so far was an echo of salesos's own write
    var echoes = new HashMap<String, Boolean>();
    // near the head (the usual case) one batch call names every entry after the position
    var newer = fromEarliest ? Optional.of(earliestEntries(maxEntries)) : entriesAfter(position, maxEntries);
    if (newer.isPresent()) {
      more = fromEarliest && newer.get().size() >= Math.min(LATEST_BATCH, maxEntries);
      for (var entry : newer.get()) {
        var offset = new StreamPosition(entry.get("currentOffset").asText());
        var events = client.download(entry.path("url").asText());
        if (events.isEmpty()) {
          interruption = Optional.of(gap(offset));
          break;
        }
        collect(events.get(), fields, byType, changed, deleted, committed, own, echoes);
        position = offset;
        entries++;
      }
    }
    while (newer.isEmpty() && entries < maxEntries) {
      var answer = client.exchange("GET", fromEarliest && position.equals(from) ? JOURNAL + "/earliest"
          : JOURNAL + "/offset/" + position.value() + "/next", null, Set.of(404));
      if (answer.status() == 404) {
        interruption = Optional.of(new Interruption(Interruption.Kind.EXPIRED,
            "the journal no longer holds offset " + position + " (entries are kept three days)"));
        break;
      }
      if (answer.status() == 204 || !answer.body().has("currentOffset")) {
        break;
      }
      var offset = new StreamPosition(answer.body().get("currentOffset").asText());
      var events = client.download(answer.body().path("url").asText());
      if (events.isEmpty()) {
        interruption = Optional.of(gap(offset));
        break;
      }
      collect(events.get(), fields, byType, changed, deleted, committed, own, echoes);
      position = offset;
      entries++;
      more = entries >= maxEntries;
    }
    int skipped = 0;
    for (var e : echoes.entrySet()) {
      if (e.getValue()) {
        // salesos's own write coming back: the mirror decided it, nothing to read or evaluate
        int slash = e.getKey().indexOf('/');
        var set = changed.get(e.getKey().substring(0, slash));
        if (set != null && set.remove(e.getKey().substring(slash + 1))) {
          committed.remove(e.getKey());
          skipped++;
        }
      }
    }
    if (skipped > 0) {
      LOG.info("event=journal_echoes_skipped records={}", skipped);
    }
    changed.values().removeIf(java.util.Set::isEmpty);
    var records = new LinkedHashMap<String, List<RawRecord>>();
    var deletions = new LinkedHashMap<String, List<Deletion>>();
    for (var e : changed.entrySet()) {
      var ids = List.copyOf(e.getValue());
      var read = connector.read(e.getKey(), fields.get(e.getKey()), ids).orElse(List.of());
      records.put(e.getKey(), read);
      var found = new java.util.HashSet<String>();
      read.forEach(r -> found.add(r.id()));
      for (var id : ids) {
        if (!found.contains(id)) {
          // changed and then archived before this read: the batch read no longer finds it
          deleted.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>()).put(id, committed.get(StreamBatch.key(e.getKey(), id)));
        }
      }
    }
    deleted.forEach((object, ids) -> {
      var list = new ArrayList<Deletion>();
      ids.forEach((id, at) -> list.add(new Deletion(id, at)));
      deletions.put(object, list);
    });
    return new StreamBatch(records, deletions, committed, position, more, entries, interruption);
  }

  /** How many of the latest entries one batch call asks for (HubSpot reads batches of at most 100). */
  static final int LATEST_BATCH = 100;

  /**
   * The entries after {@code position}, oldest first, from one {@code batch/latest/{count}} call,
   * when the position is among the latest entries; empty when it is not (further behind, or gone),
   * and the entries are then read one by one from the position. The batch endpoints are exempt from
   * the standard rate limits (journal guide).
   */
  private Optional<List<JsonNode>> entriesAfter(StreamPosition position, int maxEntries) throws ConnectorException {
    int count = Math.max(1, Math.min(LATEST_BATCH, maxEntries + 1));
    var answer = client.exchange("GET", JOURNAL + "/batch/latest/" + count, null, Set.of());
    if (answer.status() == 204) {
      return Optional.empty();
    }
    var results = new ArrayList<JsonNode>();
    answer.body().path("results").forEach(results::add);
    for (int i = 0; i < results.size(); i++) {
      if (results.get(i).path("currentOffset").asText().equals(position.value())) {
        return Optional.of(results.subList(i + 1, results.size()));
      }
    }
    return Optional.empty();
  }

  /** The first entries of the journal, oldest first, from one {@code batch/earliest/{count}} call. */
  private List<JsonNode> earliestEntries(int maxEntries) throws ConnectorException {
    int count = Math.max(1, Math.min(LATEST_BATCH, maxEntries));
    var answer = client.exchange("GET", JOURNAL + "/batch/earliest/" + count, null, Set.of());
    var results = new ArrayList<JsonNode>();
    if (answer.status() != 204) {
      answer.body().path("results").forEach(results::add);
    }
    return results;
  }

  private static Interruption gap(StreamPosition offset) {
    return new Interruption(Interruption.Kind.GAP, "the events of journal entry " + offset + " cannot be fetched (its file is gone)");
  }

  /** The events of one entry into the changed and deleted ids per object, with the newest commit time of each. */
  private static void collect(JsonNode events, Map<String, List<String>> fields, Map<String, String> byType,
      Map<String, LinkedHashSet<String>> changed, Map<String, Map<String, Instant>> deleted, Map<String, Instant> committed,
      OwnWrites own, Map<String, Boolean> echoes) {
    for (var e : events) {
      var object = byType.get(e.path("objectTypeId").asText());
      if (object == null || !fields.containsKey(object)) {
        continue;
      }
      var id = e.path("objectId").asText();
      // an echo: an update naming one property with the value salesos last wrote there (an event without a
      // value, or any other event of the record, makes the record one to read)
      boolean echo = e.path("action").asText().equals("UPDATE") && e.hasNonNull("propertyName") && e.hasNonNull("propertyValue")
          && own.written(object, id, e.get("propertyName").asText(), e.get("propertyValue").asText());
      echoes.merge(StreamBatch.key(object, id), echo, Boolean::logicalAnd);
      var at = Instant.ofEpochMilli(e.path("occurredAt").asLong());
      committed.merge(StreamBatch.key(object, id), at, (a, b) -> a.isAfter(b) ? a : b);
      if (e.path("action").asText().equals("DELETE")) {
        deleted.computeIfAbsent(object, k -> new LinkedHashMap<>()).put(id, at);
        var c = changed.get(object);
        if (c != null) {
          c.remove(id);
        }
      } else {
        changed.computeIfAbsent(object, k -> new LinkedHashSet<>()).add(id);
        var d = deleted.get(object);
        if (d != null) {
          d.remove(id);
        }
      }
    }
  }
}
