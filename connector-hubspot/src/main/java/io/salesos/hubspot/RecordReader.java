package io.salesos.hubspot;

import io.salesos.model.UtcStamp;
import com.fasterxml.jackson.databind.JsonNode;
import io.salesos.spi.MalformedRecord;
import io.salesos.spi.RawRecord;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * Reads one HubSpot record from a list or search answer into a {@link RawRecord}, or, when its
 * JSON cannot be trusted (no id, properties that are not strings, no readable stamp), into a
 * {@link MalformedRecord} that keeps the raw JSON for quarantine.
 */
final class RecordReader {

  /** Either a record or the reason it could not be read. */
  sealed interface Outcome permits Read, Malformed {}

  record Read(RawRecord record) implements Outcome {}

  record Malformed(MalformedRecord record) implements Outcome {}

  private RecordReader() {}

  static Outcome read(JsonNode node, String stampProperty, List<String> requested) {
    return read(node, stampProperty, requested, List.of());
  }

  /**
   * As {@link #read(JsonNode, String, List)}, with the record's primary association to each of
   * {@code targets} (from the list answer's inline {@code associations}) as field {@code
   * associations.<target>}, null when it has none.
   */
  static Outcome read(JsonNode node, String stampProperty, List<String> requested, List<String> targets) {
    var idNode = node.get("id");
    if (idNode == null || !idNode.isTextual() || idNode.asText().isBlank()) {
      return malformed(Optional.empty(), node, "the record has no id");
    }
    var id = idNode.asText();
    var props = node.get("properties");
    if (props == null || !props.isObject()) {
      return malformed(Optional.of(id), node, "the record has no properties object");
    }
    var fields = new LinkedHashMap<String, Object>();
    var it = props.fields();
    while (it.hasNext()) {
      var e = it.next();
      var v = e.getValue();
      if (v.isNull()) {
        fields.put(e.getKey(), null);
      } else if (v.isTextual()) {
        fields.put(e.getKey(), v.asText());
      } else {
        // HubSpot sends every property value as a string; anything else is a corrupt record
        return malformed(Optional.of(id), node, "property '" + e.getKey() + "' is a JSON " + v.getNodeType()
            .name().toLowerCase() + ", not a string: " + abbreviate(v.toString()));
      }
    }
    for (var name : requested) {
      // a requested property HubSpot left out has no value
      fields.putIfAbsent(name, null);
    }
    if (!targets.isEmpty()) {
      var associations = node.path("associations");
      for (var target : targets) {
        fields.put(BatchWriter.ASSOCIATIONS + target, primaryAssociation(associations.path(target).path("results")));
      }
    }
    var stamp = parseStamp(text(props, stampProperty)).or(() -> parseStamp(text(node, "updatedAt")));
    if (stamp.isEmpty()) {
      return malformed(Optional.of(id), node, "the record has no readable " + stampProperty + " or updatedAt");
    }
    return new Read(new RawRecord(id, fields, stamp.get()));
  }

  /** The labelled association where there is one (HubSpot names the others "..._unlabeled"), else the first. */
  private static String primaryAssociation(JsonNode results) {
    String chosen = null;
    for (var a : results) {
      if (chosen == null || !a.path("type").asText("").endsWith("_unlabeled")) {
        chosen = a.path("id").asText(null);
        if (!a.path("type").asText("").endsWith("_unlabeled")) {
          break;
        }
      }
    }
    return chosen;
  }

  static Optional<Instant> parseStamp(String value) {
    if (value == null || value.isEmpty()) {
      return Optional.empty();
    }
    // HubSpot sends stamps as ISO text or as epoch milliseconds; telling them apart up front
    // spares a thrown NumberFormatException per ISO stamp
    if (millis(value)) {
      try {
        return Optional.of(Instant.ofEpochMilli(Long.parseLong(value)));
      } catch (NumberFormatException tooLong) {
        return Optional.empty();
      }
    }
    // Instant.parse reads only the Z form, so the fast path only gets that form too
    var common = value.endsWith("Z") ? UtcStamp.parse(value) : Optional.<Instant>empty();
    if (common.isPresent()) {
      return common;
    }
    try {
      return Optional.of(Instant.parse(value));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static boolean millis(String value) {
    for (int i = value.startsWith("-") || value.startsWith("+") ? 1 : 0; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static String text(JsonNode node, String field) {
    var v = node.get(field);
    return v == null || !v.isTextual() ? null : v.asText();
  }

  private static Outcome malformed(Optional<String> id, JsonNode node, String reason) {
    // the raw JSON is written only for a record that goes to quarantine, not for every record read
    return new Malformed(new MalformedRecord(id, node.toString(), reason));
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
