package io.salesos.hubspot.sandbox;

import static io.salesos.hubspot.sandbox.HubSpotApi.array;
import static io.salesos.hubspot.sandbox.HubSpotApi.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salesos.demo.DemoOrgGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * List and search pages are streamed; real HubSpot clients read them, so they must stay the bytes
 * the tree rendering (kept here as the oracle) answered.
 */
class StreamedPagesTest {

  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");

  private final SandboxState state = new SandboxState(SandboxClock.fixed(T0), Duration.ofSeconds(2), false);
  private final Faults faults = new Faults();
  private final ObjectsEndpoint objects = new ObjectsEndpoint(state, faults);

  private void seed() {
    new DemoSeeder(state).seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(T0)));
  }

  @Test
  void listPagesAreTheBytesTheTreeRenderingAnswered() {
    seed();
    var deals = state.table("deals").orElseThrow().from(0).iterator();
    var deal = deals.next();
    faults.wrongTypedProperty("deals", deal.idString(), "amount", "{\"value\":12}");
    faults.wrongTypedProperty("deals", deal.idString(), "dealname", "not json");
    state.table("deals").orElseThrow().archive(deals.next().id(), T0, Duration.ZERO);
    var queries = List.<Map<String, List<String>>>of(
        Map.of(),
        Map.of("limit", List.of("100")),
        Map.of("limit", List.of("7"), "properties", List.of("dealname,amount,amount,nosuch,dealstage")),
        Map.of("limit", List.of("50"), "associations", List.of("contacts,companies,contacts,nosuch")),
        Map.of("limit", List.of("5"), "propertiesWithHistory", List.of("dealstage,amount,dealstage")),
        Map.of("limit", List.of("100"), "archived", List.of("true")));
    var all = new StringBuilder();
    for (var type : List.of("deals", "companies", "contacts", "tasks", "meetings", "emails", "calls", "notes")) {
      if (state.table(type).isEmpty()) {
        continue;
      }
      for (var query : queries) {
        long after = 0;
        for (int page = 0; page < 1_000; page++) {
          var q = new java.util.HashMap<>(query);
          q.put("after", List.of(Long.toString(after)));
          var body = objects.list(type, q).body();
          all.append(body);
          assertThat(body).as("%s %s", type, q).isEqualTo(treeList(type, q).toString());
          var next = HubSpotApi.JSON.valueToTree(Map.of()).path("x");
          try {
            next = HubSpotApi.JSON.readTree(body).path("paging").path("next").path("after");
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          if (next.isMissingNode()) {
            break;
          }
          after = Long.parseLong(next.asText());
        }
      }
    }
    // the cases the queries are there for did occur
    assertThat(all).contains("\"amount\":{\"value\":12}", "\"dealname\":\"not json\"", "\"archivedAt\":",
        "\"propertiesWithHistory\":{\"dealstage\":[{\"value\":", "\"associations\":{\"contacts\":{\"results\":[{",
        "\"paging\":{\"next\":{\"after\":\"");
  }

  @Test
  void aRenderedRecordIsTheTreeTheOldRenderingBuilt() {
    seed();
    var table = state.table("deals").orElseThrow();
    for (var o : table.from(0)) {
      assertThat(objects.render(table, o, List.of("dealname", "amount"), List.of("dealstage")))
          .isEqualTo(treeRender(table, o, List.of("dealname", "amount"), List.of("dealstage")));
    }
  }

  // the tree rendering as it was before pages were streamed

  private JsonNode treeList(String type, Map<String, List<String>> query) {
    var table = objects.table(type);
    int limit = Math.min(100, Math.max(1, query.containsKey("limit") ? Integer.parseInt(query.get("limit").get(0)) : 10));
    long after = Long.parseLong(query.get("after").get(0));
    boolean archived = query.containsKey("archived");
    var props = HubSpotApi.listParam(query, "properties");
    var history = HubSpotApi.listParam(query, "propertiesWithHistory");
    var assocTypes = HubSpotApi.listParam(query, "associations");
    var results = array();
    long last = -1;
    boolean more = false;
    for (var o : table.from(after)) {
      if (o.archived() != archived) {
        continue;
      }
      if (results.size() == limit) {
        more = true;
        break;
      }
      var node = treeRender(table, o, props, history);
      if (!assocTypes.isEmpty()) {
        node.set("associations", treeAssociations(table.name, o.id(), assocTypes));
      }
      results.add(node);
      last = o.id();
    }
    var body = object();
    body.set("results", results);
    if (more) {
      ObjectsEndpoint.paging(body, Long.toString(last));
    }
    return body;
  }

  private ObjectNode treeRender(ObjectTable table, StoredObject o, List<String> requested, List<String> history) {
    var node = object();
    node.put("id", o.idString());
    var props = object();
    var names = new ArrayList<String>(requested.isEmpty() ? table.defaultProperties : requested);
    for (var always : List.of("hs_object_id", "createdate", table.stampProperty)) {
      if (!names.contains(always)) {
        names.add(always);
      }
    }
    var wrong = faults.wrongTypedFor(table.name, o.idString());
    for (var name : names) {
      if (!table.definitions.containsKey(name)) {
        continue;
      }
      if (wrong.containsKey(name)) {
        JsonNode raw;
        try {
          raw = HubSpotApi.JSON.readTree(wrong.get(name));
        } catch (Exception e) {
          raw = HubSpotApi.NODES.textNode(wrong.get(name));
        }
        props.set(name, raw);
      } else {
        props.put(name, o.properties().get(name));
      }
    }
    node.set("properties", props);
    if (!history.isEmpty()) {
      var h = object();
      for (var name : history) {
        var entries = array();
        for (var e : o.history().getOrDefault(name, List.of())) {
          var entry = object();
          entry.put("value", e.value());
          entry.put("timestamp", PropertyDef.iso(e.timestamp()));
          entry.put("sourceType", e.sourceType());
          entries.add(entry);
        }
        h.set(name, entries);
      }
      node.set("propertiesWithHistory", h);
    }
    node.put("createdAt", PropertyDef.iso(o.createdAt()));
    node.put("updatedAt", PropertyDef.iso(o.updatedAt()));
    node.put("archived", o.archived());
    o.archivedAt().ifPresent(at -> node.put("archivedAt", PropertyDef.iso(at)));
    return node;
  }

  private ObjectNode treeAssociations(String from, long id, List<String> toTypes) {
    var out = object();
    for (var to : toTypes) {
      var toTable = state.table(to);
      if (toTable.isEmpty()) {
        continue;
      }
      var results = array();
      var name = ObjectsEndpoint.singular(state.table(from).orElseThrow()).toLowerCase() + "_to_"
          + ObjectsEndpoint.singular(toTable.get()).toLowerCase();
      boolean hasPrimary = state.typeIds(from, toTable.get().name)[1] != 0;
      state.associationsOf(from, id, toTable.get().name).forEach((toId, types) -> {
        var r = object();
        r.put("id", Long.toString(toId));
        boolean primary = types.stream().anyMatch(t -> "Primary".equals(t.label()));
        r.put("type", hasPrimary && !primary ? name + "_unlabeled" : name);
        results.add(r);
      });
      if (!results.isEmpty()) {
        var wrap = object();
        wrap.set("results", results);
        out.set(toTable.get().name, wrap);
      }
    }
    return out;
  }
}
