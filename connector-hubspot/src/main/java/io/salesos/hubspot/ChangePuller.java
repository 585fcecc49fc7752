package io.salesos.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.ConnectorException.Kind;
import io.salesos.spi.Deletion;
import io.salesos.spi.MalformedRecord;
import io.salesos.spi.PullBatch;
import io.salesos.spi.PullRequest;
import io.salesos.spi.RawRecord;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Pulls the changes of one HubSpot object type, in three phases recorded in the checkpoint:
 *
 * <ol>
 *   <li>{@code list}: the initial load pages through the list endpoint by id (search caps at
 *       10,000 results, list does not);
 *   <li>{@code search}: incremental, by the modification stamp. The checkpoint (stamp, id) means
 *       "everything older than stamp is done, and at stamp every id up to id" ({@code *}: all of
 *       it). Records sharing the last stamp of a full page are not trusted to that page: they are
 *       read by a keyset query on hs_object_id at that exact stamp, so none is skipped or read
 *       twice, and no query ever pages past 10,000;
 *   <li>{@code archived}: archiving does not move the stamp, so deletions are found by listing
 *       archived records and keeping those archived since the last scan.
 * </ol>
 *
 * <p>A round ends after the archived scan ({@code hasMore=false}); the next round starts the
 * overlap window earlier, for changes the search index showed late.
 */
final class ChangePuller {

  static final String PHASE = "phase";
  static final String AFTER = "after";
  static final String STAMP = "stamp";
  static final String ID = "id";
  static final String CAUGHT_UP = "caught_up";
  static final String LIST_STARTED = "list_started";
  static final String ARCHIVED_AFTER = "archived_after";
  static final String ARCHIVED_STARTED = "archived_started";
  static final String ALL = "*";

  private static final int MAX_LIST = 100;
  private static final int MAX_SEARCH = 200;

  private final HubSpotClient client;
  private final HubSpotSettings settings;
  private final Clock clock;
  private final SearchPacer pacer;

  ChangePuller(HubSpotClient client, HubSpotSettings settings, Clock clock, SearchPacer pacer) {
    this.client = client;
    this.settings = settings;
    this.clock = clock;
    this.pacer = pacer;
  }

  /** A page of base records as read, before any expansion. */
  record Page(List<RawRecord> records, List<Deletion> deletions, List<MalformedRecord> malformed, Checkpoint next,
      boolean hasMore) {}

  /**
   * The next page of changes. In the list phase, {@code targets}' associations come inline with the
   * records as {@code associations.<target>} fields (one call instead of one per target); search
   * cannot return them, so later phases leave them to the caller.
   */
  Page pull(String type, List<String> properties, List<String> targets, Checkpoint cp, int maxRecords,
      boolean withDeletions) throws ConnectorException {
    var phase = cp.get(PHASE).orElse("list");
    return switch (phase) {
      case "list" -> list(type, properties, targets, cp, maxRecords);
      case "search" -> search(type, properties, cp, maxRecords, withDeletions);
      case "archived" -> archived(type, cp, withDeletions);
      default -> throw new ConnectorException(Kind.PERMANENT, "unknown checkpoint phase '" + phase + "' for "
          + type + "; reset the checkpoint to reload");
    };
  }

  private Page list(String type, List<String> properties, List<String> targets, Checkpoint cp, int maxRecords)
      throws ConnectorException {
    var started = cp.get(LIST_STARTED).orElse(Long.toString(clock.millis()));
    var after = cp.get(AFTER).orElse("");
    var answer = client.get(settings.objectsPath() + "/" + type + "?limit=" + Math.min(MAX_LIST, maxRecords)
        + "&archived=false" + propertiesParam(properties)
        + (targets.isEmpty() ? "" : "&associations=" + encode(String.join(",", targets)))
        + (after.isEmpty() ? "" : "&after=" + encode(after)));
    // each record's primary associations are read from its own inline associations, in the same pass
    var page = read(type, answer.path("results"), properties, targets);
    var nextAfter = answer.path("paging").path("next").path("after").asText("");
    if (!nextAfter.isEmpty()) {
      return new Page(page.records(), List.of(), page.malformed(),
          cp.with(PHASE, "list").with(AFTER, nextAfter).with(LIST_STARTED, started), true);
    }
    // changes made while the list ran are caught by the first search round, from the list's start
    long from = Long.parseLong(started) - settings.overlap().toMillis();
    var next = Checkpoint.of(Map.of(PHASE, "search", STAMP, Long.toString(from), ID, "",
        ARCHIVED_AFTER, Long.toString(from)));
    return new Page(page.records(), List.of(), page.malformed(), next, true);
  }

  private Page search(String type, List<String> properties, Checkpoint cp, int maxRecords, boolean withDeletions)
      throws ConnectorException {
    long stamp = Long.parseLong(cp.get(STAMP).orElse("0"));
    long highWater = stamp;
    var id = cp.get(ID).orElse("");
    if (cp.get(CAUGHT_UP).isPresent()) {
      stamp -= settings.overlap().toMillis();
      id = "";
      cp = cp.with(CAUGHT_UP, null);
    }
    int limit = Math.min(MAX_SEARCH, maxRecords);
    var stampProperty = stampProperty(type);
    if (!id.equals(ALL)) {
      var ties = tiesAt(type, properties, stamp, id, limit);
      if (!ties.records().isEmpty() || !ties.malformed().isEmpty()) {
        return ties.withCheckpoint(cp);
      }
    }
    var answer = searchCall(type, Map.of(
        "filterGroups", List.of(Map.of("filters", List.of(filter(stampProperty, "GT", Long.toString(stamp))))),
        "sorts", List.of(Map.of("propertyName", stampProperty, "direction", "ASCENDING")),
        "properties", withStamp(properties, stampProperty),
        "limit", limit));
    var page = read(type, answer.path("results"), properties);
    boolean full = answer.path("paging").path("next").has("after");
    if (page.records().isEmpty() && page.malformed().isEmpty()) {
      return caughtUp(cp, withDeletions, List.of(), List.of());
    }
    long last = Math.max(stamp, page.maxStamp());
    if (!full) {
      // the whole rest fits in this page: nothing at the last stamp can be missing (and an
      // overlap re-read never moves the high-water mark back)
      var next = cp.with(PHASE, "search").with(STAMP, Long.toString(Math.max(last, highWater))).with(ID, ALL);
      return caughtUp(next, withDeletions, page.records(), page.malformed());
    }
    var complete = new ArrayList<RawRecord>();
    for (var r : page.records()) {
      if (r.modifiedAt().toEpochMilli() < last) {
        complete.add(r);
      }
    }
    if (complete.isEmpty()) {
      // the whole page shares one stamp: read that stamp by id instead
      return tiesAt(type, properties, last, "", limit).withCheckpoint(cp);
    }
    return new Page(complete, List.of(), page.malformed(),
        cp.with(PHASE, "search").with(STAMP, Long.toString(last)).with(ID, ""), true);
  }

  /** Records at exactly {@code stamp} with an id above {@code afterId}, in id order. */
  private Ties tiesAt(String type, List<String> properties, long stamp, String afterId, int limit)
      throws ConnectorException {
    var stampProperty = stampProperty(type);
    var filters = new ArrayList<Map<String, Object>>();
    filters.add(filter(stampProperty, "EQ", Long.toString(stamp)));
    if (!afterId.isEmpty()) {
      filters.add(filter("hs_object_id", "GT", afterId));
    }
    var answer = searchCall(type, Map.of(
        "filterGroups", List.of(Map.of("filters", filters)),
        "sorts", List.of(Map.of("propertyName", "hs_object_id", "direction", "ASCENDING")),
        "properties", withStamp(properties, stampProperty),
        "limit", limit));
    var page = read(type, answer.path("results"), properties);
    boolean more = answer.path("paging").path("next").has("after");
    var lastId = afterId;
    for (var node : answer.path("results")) {
      lastId = node.path("id").asText(lastId);
    }
    return new Ties(page.records(), page.malformed(), stamp, more ? lastId : ALL);
  }

  private record Ties(List<RawRecord> records, List<MalformedRecord> malformed, long stamp, String nextId) {
    Page withCheckpoint(Checkpoint cp) {
      return new Page(records, List.of(), malformed,
          cp.with(PHASE, "search").with(STAMP, Long.toString(stamp)).with(ID, nextId), true);
    }
  }

  private Page caughtUp(Checkpoint cp, boolean withDeletions, List<RawRecord> records, List<MalformedRecord> bad) {
    if (!withDeletions) {
      return new Page(records, List.of(), bad, cp.with(CAUGHT_UP, "true"), false);
    }
    return new Page(records, List.of(), bad,
        cp.with(PHASE, "archived").with(AFTER, null).with(ARCHIVED_STARTED, Long.toString(clock.millis())), true);
  }

  private Page archived(String type, Checkpoint cp, boolean withDeletions) throws ConnectorException {
    long since = Long.parseLong(cp.get(ARCHIVED_AFTER).orElse("0"));
    var started = cp.get(ARCHIVED_STARTED).orElse(Long.toString(clock.millis()));
    var after = cp.get(AFTER).orElse("");
    var answer = client.get(settings.objectsPath() + "/" + type + "?limit=" + MAX_LIST
        + "&archived=true&properties=hs_object_id" + (after.isEmpty() ? "" : "&after=" + encode(after)));
    var deletions = new ArrayList<Deletion>();
    for (var node : answer.path("results")) {
      var at = RecordReader.parseStamp(node.path("archivedAt").asText(""));
      var id = node.path("id").asText("");
      if (at.isPresent() && !id.isEmpty() && at.get().toEpochMilli() >= since) {
        deletions.add(new Deletion(id, at.get()));
      }
    }
    var nextAfter = answer.path("paging").path("next").path("after").asText("");
    if (!nextAfter.isEmpty()) {
      return new Page(List.of(), deletions, List.of(), cp.with(AFTER, nextAfter).with(ARCHIVED_STARTED, started), true);
    }
    long nextSince = Long.parseLong(started) - settings.overlap().toMillis();
    var next = cp.with(PHASE, "search").with(AFTER, null).with(ARCHIVED_STARTED, null)
        .with(ARCHIVED_AFTER, Long.toString(Math.max(since, nextSince))).with(CAUGHT_UP, "true");
    return new Page(List.of(), deletions, List.of(), next, false);
  }

  private JsonNode searchCall(String type, Map<String, Object> body) throws ConnectorException {
    pacer.await();
    return client.post(settings.objectsPath() + "/" + type + "/search", body);
  }

  /** Records and malformed records of one answer, and the newest stamp any of them carried. */
  private record Read(List<RawRecord> records, List<MalformedRecord> malformed, long maxStamp) {}

  private static Read read(String type, JsonNode results, List<String> properties) {
    return read(type, results, properties, List.of());
  }

  private static Read read(String type, JsonNode results, List<String> properties, List<String> targets) {
    var records = new ArrayList<RawRecord>();
    var malformed = new ArrayList<MalformedRecord>();
    long maxStamp = Long.MIN_VALUE;
    for (var node : results) {
      // malformed records count too, or a page of them could be read again and again
      var stamp = RecordReader.parseStamp(node.path("properties").path(stampProperty(type)).asText(""))
          .or(() -> RecordReader.parseStamp(node.path("updatedAt").asText("")));
      if (stamp.isPresent()) {
        maxStamp = Math.max(maxStamp, stamp.get().toEpochMilli());
      }
      var outcome = RecordReader.read(node, stampProperty(type), properties, targets);
      if (outcome instanceof RecordReader.Read r) {
        records.add(r.record());
      } else if (outcome instanceof RecordReader.Malformed m) {
        malformed.add(m.record());
      }
    }
    return new Read(records, malformed, maxStamp);
  }

  static String stampProperty(String type) {
    return type.equals("contacts") ? "lastmodifieddate" : "hs_lastmodifieddate";
  }

  private static List<String> withStamp(List<String> properties, String stampProperty) {
    var all = new LinkedHashSet<>(properties);
    all.add("hs_object_id");
    all.add(stampProperty);
    return List.copyOf(all);
  }

  private static Map<String, Object> filter(String property, String operator, String value) {
    return Map.of("propertyName", property, "operator", operator, "value", value);
  }

  private String propertiesParam(List<String> properties) {
    return properties.isEmpty() ? "" : "&properties=" + encode(String.join(",", properties));
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
