package io.salesos.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.ConnectorException.Kind;
import io.salesos.spi.Write;
import io.salesos.spi.WriteResult;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to one HubSpot object type in batches of 100: upserts by a unique property (the write's
 * idempotency key), updates by id, archives by id, then the associations the writes name through
 * {@code associations.<type>} pseudo-fields. Answers one result per write, in input order.
 *
 * <p>HubSpot reports per-input failures in a 207 answer, but may refuse a whole batch for one bad
 * input; then the batch is split in halves until the bad inputs stand alone, so good writes still
 * land and each bad one gets HubSpot's own error text (at most 2n-1 calls, never a loop).
 */
final class BatchWriter {

  private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);
  static final int MAX_BATCH = 100;
  static final String ASSOCIATIONS = "associations.";
  private static final Set<String> RETRYABLE = Set.of("RATE_LIMITS", "RATE_LIMIT", "INTERNAL_ERROR", "LOCKED");

  private final HubSpotClient client;
  private final HubSpotSettings settings;

  BatchWriter(HubSpotClient client, HubSpotSettings settings) {
    this.client = client;
    this.settings = settings;
  }

  List<WriteResult> push(String type, List<Write> writes) throws ConnectorException {
    var results = new WriteResult[writes.size()];
    var upserts = new LinkedHashMap<String, List<Integer>>();
    var updates = new ArrayList<Integer>();
    var deletes = new ArrayList<Integer>();
    for (int i = 0; i < writes.size(); i++) {
      var w = writes.get(i);
      switch (w.op()) {
        case UPSERT -> upserts.computeIfAbsent(w.externalIdField().orElseThrow(), k -> new ArrayList<>()).add(i);
        case UPDATE -> updates.add(i);
        case DELETE -> deletes.add(i);
      }
    }
    for (var e : upserts.entrySet()) {
      for (var chunk : chunks(e.getValue())) {
        send(type, "upsert", e.getKey(), writes, chunk, results);
      }
    }
    for (var chunk : chunks(updates)) {
      send(type, "update", null, writes, chunk, results);
    }
    for (var chunk : chunks(deletes)) {
      archive(type, writes, chunk, results);
    }
    associate(type, writes, results);
    for (int i = 0; i < results.length; i++) {
      if (results[i] == null) {
        results[i] = WriteResult.failed(writes.get(i).key(), "NO_RESULT",
            "HubSpot answered neither a result nor an error for this write", true);
      }
    }
    return List.of(results);
  }

  private void send(String type, String action, String idProperty, List<Write> writes, List<Integer> chunk,
      WriteResult[] results) throws ConnectorException {
    var inputs = new ArrayList<Map<String, Object>>();
    for (int i : chunk) {
      var w = writes.get(i);
      var input = new LinkedHashMap<String, Object>();
      if (idProperty != null) {
        input.put("idProperty", idProperty);
        input.put("id", w.key());
      } else {
        input.put("id", w.id().orElseThrow());
      }
      input.put("properties", properties(w));
      inputs.add(input);
    }
    JsonNode answer;
    try {
      answer = client.post(settings.objectsPath() + "/" + type + "/batch/" + action, Map.of("inputs", inputs));
    } catch (ConnectorException e) {
      if (e.kind() != Kind.PERMANENT) {
        throw e;
      }
      if (chunk.size() == 1) {
        int i = chunk.get(0);
        results[i] = WriteResult.failed(writes.get(i).key(), "VALIDATION_ERROR", e.getMessage(), false);
        return;
      }
      LOG.info("event=batch_split object={} action={} size={} reason=whole_batch_refused", type, action, chunk.size());
      int half = chunk.size() / 2;
      send(type, action, idProperty, writes, chunk.subList(0, half), results);
      send(type, action, idProperty, writes, chunk.subList(half, chunk.size()), results);
      return;
    }
    // match answers to inputs by what the input was addressed by: the key value or the id
    var byRef = new HashMap<String, Integer>();
    for (int i : chunk) {
      var w = writes.get(i);
      byRef.put(idProperty != null ? w.key() : w.id().orElseThrow(), i);
    }
    var resultNodes = answer.path("results");
    for (var r : resultNodes) {
      var ref = idProperty != null ? r.path("properties").path(idProperty).asText("") : r.path("id").asText("");
      var i = byRef.get(ref);
      if (i == null && resultNodes.size() == chunk.size() && answer.path("errors").isEmpty()) {
        i = chunk.get(indexOf(resultNodes, r));
      }
      if (i != null) {
        results[i] = WriteResult.ok(writes.get(i).key(), r.path("id").asText(), r.path("new").asBoolean(false));
      }
    }
    for (var err : answer.path("errors")) {
      var category = err.path("category").asText("ERROR");
      var message = err.path("message").asText("HubSpot refused this write");
      for (var id : err.path("context").path("ids")) {
        var i = byRef.get(id.asText());
        if (i != null && results[i] == null) {
          results[i] = WriteResult.failed(writes.get(i).key(), category, message, RETRYABLE.contains(category));
        }
      }
    }
  }

  private void archive(String type, List<Write> writes, List<Integer> chunk, WriteResult[] results)
      throws ConnectorException {
    var inputs = new ArrayList<Map<String, Object>>();
    for (int i : chunk) {
      inputs.add(Map.of("id", writes.get(i).id().orElseThrow()));
    }
    client.post(settings.objectsPath() + "/" + type + "/batch/archive", Map.of("inputs", inputs));
    for (int i : chunk) {
      results[i] = WriteResult.ok(writes.get(i).key(), writes.get(i).id().orElseThrow(), false);
    }
  }

  /** Creates the associations written writes name, e.g. a task's {@code associations.deals}. */
  private void associate(String type, List<Write> writes, WriteResult[] results) throws ConnectorException {
    var byTarget = new LinkedHashMap<String, List<Integer>>();
    for (int i = 0; i < writes.size(); i++) {
      if (results[i] == null || !results[i].success() || writes.get(i).op() == Write.Op.DELETE) {
        continue;
      }
      for (var e : writes.get(i).fields().entrySet()) {
        if (e.getKey().startsWith(ASSOCIATIONS) && e.getValue() != null && !e.getValue().toString().isEmpty()) {
          byTarget.computeIfAbsent(e.getKey().substring(ASSOCIATIONS.length()), k -> new ArrayList<>()).add(i);
        }
      }
    }
    for (var e : byTarget.entrySet()) {
      var target = e.getKey();
      for (var chunk : chunks(e.getValue())) {
        var inputs = new ArrayList<Map<String, Object>>();
        for (int i : chunk) {
          inputs.add(Map.of("from", Map.of("id", results[i].id().orElseThrow()),
              "to", Map.of("id", writes.get(i).fields().get(ASSOCIATIONS + target).toString())));
        }
        var answer = client.post("/crm/v4/associations/" + type + "/" + target + "/batch/associate/default",
            Map.of("inputs", inputs));
        for (var err : answer.path("errors")) {
          for (var id : err.path("context").path("ids")) {
            for (int i : chunk) {
              var w = writes.get(i);
              if (id.asText().equals(w.fields().get(ASSOCIATIONS + target).toString())
                  || id.asText().equals(results[i].id().orElse(""))) {
                results[i] = WriteResult.failed(w.key(), err.path("category").asText("ERROR"),
                    "written, but associating it with " + target + " failed: " + err.path("message").asText(), false);
              }
            }
          }
        }
      }
    }
  }

  private static Map<String, String> properties(Write w) {
    var out = new LinkedHashMap<String, String>();
    w.fields().forEach((name, value) -> {
      if (!name.startsWith(ASSOCIATIONS)) {
        out.put(name, wire(value));
      }
    });
    return out;
  }

  /** A value as HubSpot takes it: strings; datetimes as ISO-8601 UTC; dates at midnight UTC; "" clears. */
  static String wire(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Instant i) {
      return i.toString();
    }
    if (value instanceof LocalDate d) {
      return d.atStartOfDay().toInstant(ZoneOffset.UTC).toString();
    }
    if (value instanceof BigDecimal b) {
      return b.toPlainString();
    }
    return value.toString();
  }

  private static int indexOf(JsonNode array, JsonNode node) {
    for (int i = 0; i < array.size(); i++) {
      if (array.get(i) == node) {
        return i;
      }
    }
    return -1;
  }

  private static List<List<Integer>> chunks(List<Integer> indexes) {
    var out = new ArrayList<List<Integer>>();
    for (int i = 0; i < indexes.size(); i += MAX_BATCH) {
      out.add(indexes.subList(i, Math.min(indexes.size(), i + MAX_BATCH)));
    }
    return out;
  }
}
