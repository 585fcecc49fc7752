package io.salesos.hubspot.sandbox;

import static io.salesos.hubspot.sandbox.HubSpotApi.array;
import static io.salesos.hubspot.sandbox.HubSpotApi.object;

import com.fasterxml.jackson.databind.JsonNode;
import io.salesos.hubspot.sandbox.HubSpotApi.Reply;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The CRM search API with HubSpot's limits: at most 5 filter groups, 6 filters per group and 18
 * in all, one sort, {@code limit} at most 200, and no paging past the 10,000th result. It reads
 * the lagging search view, so writes show up after the configured delay.
 */
final class SearchEndpoint {

  static final int MAX_LIMIT = 200;
  static final int MAX_RESULTS = 10_000;

  private final SandboxState state;
  private final ObjectsEndpoint objects;

  SearchEndpoint(SandboxState state, ObjectsEndpoint objects) {
    this.state = state;
    this.objects = objects;
  }

  Reply search(String type, JsonNode body) {
    var table = objects.table(type);
    int limit = body.path("limit").asInt(10);
    if (limit > MAX_LIMIT || limit < 0) {
      throw new ApiError(400, "VALIDATION_ERROR", "There was a problem with the request.",
          List.of(Map.of("message", "limit must be between 0 and " + MAX_LIMIT + ", was " + limit, "in", "limit",
              "code", "INVALID_LIMIT")), Map.of());
    }
    int after = 0;
    if (body.hasNonNull("after") && !body.get("after").asText().isEmpty()) {
      try {
        after = Integer.parseInt(body.get("after").asText());
      } catch (NumberFormatException e) {
        throw ApiError.validation("Invalid after: " + body.get("after").asText());
      }
    }
    if (after >= MAX_RESULTS) {
      throw new ApiError(400, "VALIDATION_ERROR", "There was a problem with the request.",
          List.of(Map.of("message", "Search results are limited to " + MAX_RESULTS + " in total; after="
              + after + " is past the last result that can be paged to", "in", "after", "code", "INVALID_AFTER")),
          Map.of());
    }
    var groups = body.path("filterGroups");
    int total = 0;
    if (groups.size() > 5) {
      throw ApiError.validation("Too many filter groups: " + groups.size() + " (at most 5)");
    }
    for (var g : groups) {
      if (g.path("filters").size() > 6) {
        throw ApiError.validation("Too many filters in a group: " + g.path("filters").size() + " (at most 6)");
      }
      total += g.path("filters").size();
    }
    if (total > 18) {
      throw ApiError.validation("Too many filters: " + total + " (at most 18 in all)");
    }
    var sorts = body.path("sorts");
    if (sorts.size() > 1) {
      throw ApiError.validation("Only one sort is supported, got " + sorts.size());
    }
    normalizeDates(table, groups);
    var text = body.path("query").asText("").trim().toLowerCase(Locale.ROOT);
    var matches = new ArrayList<StoredObject>();
    for (var o : table.searchable(state.now())) {
      if (matches(table, o, groups) && (text.isEmpty() || containsText(table, o, text))) {
        matches.add(o);
      }
    }
    matches.sort(order(table, sorts));
    var props = ObjectsEndpoint.strings(body.path("properties"));
    var results = array();
    int end = Math.min(Math.min(matches.size(), MAX_RESULTS), after + Math.max(limit, 0));
    for (int i = after; i < end; i++) {
      results.add(objects.render(table, matches.get(i), props, List.of()));
    }
    var out = object();
    out.put("total", matches.size());
    out.set("results", results);
    if (end < Math.min(matches.size(), MAX_RESULTS)) {
      ObjectsEndpoint.paging(out, Integer.toString(end));
    }
    return Reply.json(200, out);
  }

  /**
   * Whether the free-text {@code query} appears in one of the type's default text properties (the
   * ones a list answers without {@code properties}), as HubSpot's search {@code query} does.
   */
  private static boolean containsText(ObjectTable table, StoredObject o, String text) {
    for (var name : table.defaultProperties) {
      var def = table.definitions.get(name);
      var value = o.properties().get(name);
      if (def != null && def.type().equals("string") && value != null
          && value.toLowerCase(Locale.ROOT).contains(text)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(ObjectTable table, StoredObject o, JsonNode groups) {
    if (groups.size() == 0) {
      return true;
    }
    for (var g : groups) {
      boolean all = true;
      for (var f : g.path("filters")) {
        if (!matchesFilter(table, o, f)) {
          all = false;
          break;
        }
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchesFilter(ObjectTable table, StoredObject o, JsonNode f) {
    var prop = f.path("propertyName").asText();
    var op = f.path("operator").asText("EQ");
    var actual = prop.equals("hs_object_id") ? o.idString() : o.properties().get(prop);
    boolean has = actual != null && !actual.isEmpty();
    var type = typeOf(table, prop);
    return switch (op) {
      case "HAS_PROPERTY" -> has;
      case "NOT_HAS_PROPERTY" -> !has;
      case "EQ" -> has && compare(type, actual, f.path("value").asText()) == 0;
      case "NEQ" -> !has || compare(type, actual, f.path("value").asText()) != 0;
      case "LT" -> has && compare(type, actual, f.path("value").asText()) < 0;
      case "LTE" -> has && compare(type, actual, f.path("value").asText()) <= 0;
      case "GT" -> has && compare(type, actual, f.path("value").asText()) > 0;
      case "GTE" -> has && compare(type, actual, f.path("value").asText()) >= 0;
      case "BETWEEN" -> has && compare(type, actual, f.path("value").asText()) >= 0
          && compare(type, actual, f.path("highValue").asText()) <= 0;
      case "IN" -> has && ObjectsEndpoint.strings(f.path("values")).stream().anyMatch(v -> compare(type, actual, v) == 0);
      case "NOT_IN" -> !has || ObjectsEndpoint.strings(f.path("values")).stream().noneMatch(v -> compare(type, actual, v) == 0);
      case "CONTAINS_TOKEN" -> has && actual.toLowerCase(Locale.ROOT)
          .contains(f.path("value").asText().replace("*", "").toLowerCase(Locale.ROOT));
      default -> throw ApiError.validation("Unknown operator " + op);
    };
  }

  /** Rewrites date filter values to the stored ISO form once, so matching compares strings. */
  private static void normalizeDates(ObjectTable table, JsonNode groups) {
    for (var g : groups) {
      for (var f : g.path("filters")) {
        var type = typeOf(table, f.path("propertyName").asText());
        if (!(type.equals("datetime") || type.equals("date")) || !(f instanceof com.fasterxml.jackson.databind.node.ObjectNode node)) {
          continue;
        }
        for (var key : List.of("value", "highValue")) {
          if (node.hasNonNull(key)) {
            PropertyDef.epochMillis(node.get(key).asText()).ifPresent(ms -> node.put(key, iso(type, ms)));
          }
        }
        if (node.path("values").isArray()) {
          var values = array();
          node.path("values").forEach(v -> values.add(PropertyDef.epochMillis(v.asText()).map(ms -> iso(type, ms))
              .orElse(v.asText())));
          node.set("values", values);
        }
      }
    }
  }

  private static String iso(String type, long ms) {
    var instant = java.time.Instant.ofEpochMilli(ms);
    return type.equals("date") ? java.time.LocalDate.ofInstant(instant, java.time.ZoneOffset.UTC).toString()
        : PropertyDef.iso(instant);
  }

  private static String typeOf(ObjectTable table, String prop) {
    var def = table.definitions.get(prop);
    return prop.equals("hs_object_id") ? "number" : def == null ? "string" : def.type();
  }

  private static int compare(String type, String a, String b) {
    switch (type) {
      case "number" -> {
        var x = number(a);
        var y = number(b);
        if (x.isPresent() && y.isPresent()) {
          return x.get().compareTo(y.get());
        }
      }
      case "datetime", "date" -> {
        if (a.length() == b.length() && (a.length() == 24 || a.length() == 10)) {
          return a.compareTo(b);
        }
        var x = PropertyDef.epochMillis(a);
        var y = PropertyDef.epochMillis(b);
        if (x.isPresent() && y.isPresent()) {
          return Long.compare(x.get(), y.get());
        }
      }
      default -> { }
    }
    return a.compareToIgnoreCase(b);
  }

  private static Optional<BigDecimal> number(String s) {
    try {
      return Optional.of(new BigDecimal(s));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The requested sort, records without a value last; ties go by id, the order HubSpot appears to use. */
  private static Comparator<StoredObject> order(ObjectTable table, JsonNode sorts) {
    Comparator<StoredObject> byId = Comparator.comparingLong(StoredObject::id);
    if (sorts.size() == 0) {
      return byId;
    }
    var s = sorts.get(0);
    var prop = s.isTextual() ? s.asText().replaceFirst("^-", "") : s.path("propertyName").asText();
    boolean descending = s.isTextual() ? s.asText().startsWith("-")
        : s.path("direction").asText("ASCENDING").equalsIgnoreCase("DESCENDING");
    var type = typeOf(table, prop);
    Comparator<StoredObject> byValue = (x, y) -> {
      var a = prop.equals("hs_object_id") ? x.idString() : x.properties().get(prop);
      var b = prop.equals("hs_object_id") ? y.idString() : y.properties().get(prop);
      boolean ha = a != null && !a.isEmpty();
      boolean hb = b != null && !b.isEmpty();
      if (!ha || !hb) {
        return Boolean.compare(!ha, !hb);
      }
      int c = compare(type, a, b);
      return descending ? -c : c;
    };
    return byValue.thenComparing(byId);
  }
}
