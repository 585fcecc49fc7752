package io.salesos.hubspot.sandbox;

import static io.salesos.hubspot.sandbox.HubSpotApi.JSON;
import static io.salesos.hubspot.sandbox.HubSpotApi.array;
import static io.salesos.hubspot.sandbox.HubSpotApi.listParam;
import static io.salesos.hubspot.sandbox.HubSpotApi.object;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salesos.hubspot.sandbox.HubSpotApi.Reply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The CRM objects API: list, read, create, update, archive, one at a time and in batches. */
final class ObjectsEndpoint {

  static final int MAX_BATCH = 100;
  static final int MAX_HISTORY_BATCH = 50;
  private static final int MAX_LIST = 100;

  private final SandboxState state;
  private final Faults faults;

  ObjectsEndpoint(SandboxState state, Faults faults) {
    this.state = state;
    this.faults = faults;
  }

  ObjectTable table(String type) {
    return state.table(type).orElseThrow(() -> new ApiError(400, "VALIDATION_ERROR",
        "Unable to infer object type from: " + type));
  }

  Reply list(String type, Map<String, List<String>> query) {
    var table = table(type);
    int limit = Math.min(MAX_LIST, Math.max(1, intParam(query, "limit", 10)));
    long after = longParam(query, "after", 0L);
    boolean archived = "true".equalsIgnoreCase(first(query, "archived"));
    var props = listParam(query, "properties");
    var history = listParam(query, "propertiesWithHistory");
    var assocTypes = listParam(query, "associations");
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
      var node = render(table, o, props, history);
      if (!assocTypes.isEmpty()) {
        node.set("associations", inlineAssociations(table.name, o.id(), assocTypes));
      }
      results.add(node);
      last = o.id();
    }
    var body = object();
    body.set("results", results);
    if (more) {
      paging(body, Long.toString(last));
    }
    return Reply.json(200, body);
  }

  /**
   * One record by id, or by the value of a unique property named in {@code idProperty}; {@code
   * associations} lists the object types whose associated ids come inline, as on the list.
   */
  Reply getOne(String type, String id, Map<String, List<String>> query) {
    var table = table(type);
    var idProperty = first(query, "idProperty");
    boolean archived = "true".equalsIgnoreCase(first(query, "archived"));
    var o = find(table, id, idProperty, archived)
        .orElseThrow(() -> new ApiError(404, "OBJECT_NOT_FOUND", "resource not found"));
    var node = render(table, o, listParam(query, "properties"), listParam(query, "propertiesWithHistory"));
    var assocTypes = listParam(query, "associations");
    if (!assocTypes.isEmpty()) {
      node.set("associations", inlineAssociations(table.name, o.id(), assocTypes));
    }
    return Reply.json(200, node);
  }

  private Optional<StoredObject> find(ObjectTable table, String id, String idProperty, boolean archived) {
    if (idProperty == null || idProperty.isEmpty() || idProperty.equals("hs_object_id")) {
      return parseId(id).flatMap(table::get).filter(o -> o.archived() == archived);
    }
    var def = table.definitions.get(idProperty);
    if (def == null || !(def.hasUniqueValue() || (table.name.equals("contacts") && idProperty.equals("email")))) {
      throw ApiError.validation("Property " + idProperty + " is not a unique property and cannot be used as an "
          + "idProperty");
    }
    return archived ? Optional.empty() : table.byUnique(idProperty, id);
  }

  Reply createOne(String type, JsonNode body) {
    var table = table(type);
    var props = validate(table, body.path("properties"), true);
    var planned = planAssociations(table, body.path("associations"));
    var stamp = state.now();
    var o = create(table, props, stamp);
    associate(table, o.id(), planned);
    return Reply.json(201, render(table, o, List.of(), List.of()));
  }

  Reply updateOne(String type, String id, JsonNode body, Map<String, List<String>> query) {
    var table = table(type);
    var existing = find(table, id, first(query, "idProperty"), false)
        .orElseThrow(() -> new ApiError(404, "OBJECT_NOT_FOUND", "resource not found"));
    var props = validate(table, body.path("properties"), false);
    return Reply.json(200, render(table, update(table, existing.id(), props, state.now()), List.of(), List.of()));
  }

  /**
   * Merges {@code objectIdToMerge} into {@code primaryObjectId}: the primary keeps its values, the
   * merged record's values fill the primary's empty properties, its associations move over and it
   * is archived. HubSpot merges contacts, companies, deals and tickets only.
   */
  Reply merge(String type, JsonNode body) {
    var table = table(type);
    if (!List.of("contacts", "companies", "deals").contains(table.name)) {
      throw ApiError.validation("Merging is not supported for object type " + table.name);
    }
    var primaryRaw = body.path("primaryObjectId").asText("");
    var mergedRaw = body.path("objectIdToMerge").asText("");
    if (primaryRaw.isEmpty() || mergedRaw.isEmpty()) {
      throw ApiError.validation("Invalid input JSON on line 1, column 1: Cannot build PublicMergeInput, some of "
          + "required attributes are not set " + (primaryRaw.isEmpty() ? "[primaryObjectId]" : "[objectIdToMerge]"));
    }
    if (primaryRaw.equals(mergedRaw)) {
      throw ApiError.validation("A record cannot be merged with itself: " + primaryRaw);
    }
    var primary = parseId(primaryRaw).flatMap(table::get).filter(o -> !o.archived())
        .orElseThrow(() -> new ApiError(404, "OBJECT_NOT_FOUND", "No " + table.name + " with id " + primaryRaw));
    var merged = parseId(mergedRaw).flatMap(table::get).filter(o -> !o.archived())
        .orElseThrow(() -> new ApiError(404, "OBJECT_NOT_FOUND", "No " + table.name + " with id " + mergedRaw));
    var fill = new LinkedHashMap<String, String>();
    merged.properties().forEach((k, v) -> {
      var def = table.definitions.get(k);
      if (def != null && !def.readOnly() && !def.hasUniqueValue() && v != null && !v.isEmpty()
          && primary.property(k).isEmpty()) {
        fill.put(k, v);
      }
    });
    var stamp = state.now();
    table.archive(merged.id(), stamp, state.searchLag);
    state.moveAssociations(table.name, merged.id(), primary.id());
    var result = update(table, primary.id(), fill, stamp);
    return Reply.json(200, render(table, result, List.of(), List.of()));
  }

  /**
   * Deletes a contact for good, as a GDPR erasure request does: not to the recycle bin, so it can
   * be read neither live nor archived afterwards. Contacts only, by id or by email.
   */
  Reply gdprDelete(String type, JsonNode body) {
    var table = table(type);
    if (!table.name.equals("contacts")) {
      throw new ApiError(404, "OBJECT_NOT_FOUND", "GDPR delete is only available for contacts, not " + table.name);
    }
    var raw = body.path("objectId").asText("");
    if (raw.isEmpty()) {
      throw ApiError.validation("Invalid input JSON on line 1, column 1: Cannot build PublicGdprDeleteInput, some of "
          + "required attributes are not set [objectId]");
    }
    var idProperty = body.path("idProperty").asText("");
    var found = idProperty.isEmpty() || idProperty.equals("hs_object_id")
        ? parseId(raw).flatMap(table::get) : find(table, raw, idProperty, false);
    var o = found.orElseThrow(() -> new ApiError(404, "OBJECT_NOT_FOUND", "resource not found"));
    table.purge(o.id(), state.now(), state.searchLag);
    state.dropAssociations(table.name, o.id());
    return Reply.noContent();
  }

  Reply archiveOne(String type, String id) {
    var table = table(type);
    parseId(id).ifPresent(n -> table.archive(n, state.now(), state.searchLag));
    return Reply.noContent();
  }

  Reply batch(String type, String action, JsonNode body, Map<String, List<String>> query) {
    var table = table(type);
    var inputs = body.path("inputs");
    if (!inputs.isArray()) {
      throw ApiError.validation("Invalid input JSON: 'inputs' must be an array");
    }
    int max = action.equals("read") && body.path("propertiesWithHistory").size() > 0 ? MAX_HISTORY_BATCH : MAX_BATCH;
    if (inputs.size() > max) {
      throw ApiError.validation(max == MAX_HISTORY_BATCH
          ? "The maximum number of inputs supported in a batch request for property histories is 50. "
              + "Please reduce the number of items and try again"
          : "Too many inputs: the maximum number of inputs supported in a batch request is 100, received "
              + inputs.size() + ". Please reduce the number of items and try again");
    }
    return switch (action) {
      case "read" -> batchRead(table, body, "true".equalsIgnoreCase(first(query, "archived")));
      case "create" -> batchCreate(table, inputs);
      case "update" -> batchUpdate(table, inputs);
      case "upsert" -> batchUpsert(table, inputs);
      case "archive" -> batchArchive(table, inputs);
      default -> throw new ApiError(404, "OBJECT_NOT_FOUND", "No batch action '" + action + "'");
    };
  }

  /** {@code archived} is a query parameter of the batch read, as HubSpot documents it. */
  private Reply batchRead(ObjectTable table, JsonNode body, boolean archived) {
    var props = strings(body.path("properties"));
    var history = strings(body.path("propertiesWithHistory"));
    var idProperty = body.path("idProperty").asText("");
    var results = array();
    var missing = new ArrayList<String>();
    for (var input : body.path("inputs")) {
      var id = input.path("id").asText();
      Optional<StoredObject> o = find(table, id, idProperty, archived);
      if (o.isPresent()) {
        results.add(render(table, o.get(), props, history));
      } else {
        missing.add(id);
      }
    }
    var errors = new ArrayList<Map<String, Object>>();
    if (!missing.isEmpty()) {
      errors.add(batchError("OBJECT_NOT_FOUND", "Could not get some " + singular(table) + " objects, they may be "
          + "deleted or not exist. Check that ids are valid.", Map.of("ids", missing)));
    }
    return batchReply(results, errors);
  }

  private Reply batchCreate(ObjectTable table, JsonNode inputs) {
    var valid = new ArrayList<Map<String, String>>();
    var errors = new ArrayList<Map<String, Object>>();
    var validInputs = new ArrayList<JsonNode>();
    var plans = new ArrayList<List<PlannedAssociation>>();
    boolean traced = true;
    for (var input : inputs) {
      traced &= input.hasNonNull("objectWriteTraceId");
      try {
        var props = validate(table, input.path("properties"), true);
        plans.add(planAssociations(table, input.path("associations")));
        valid.add(props);
        validInputs.add(input);
      } catch (ApiError e) {
        var context = new LinkedHashMap<String, Object>();
        if (input.hasNonNull("objectWriteTraceId")) {
          context.put("objectWriteTraceId", List.of(input.get("objectWriteTraceId").asText()));
        }
        errors.add(batchError(e.category, e.getMessage(), context));
      }
    }
    if (!errors.isEmpty() && !traced) {
      // without a trace id per input HubSpot cannot say which input failed, so it fails them all
      var first = errors.get(0);
      throw new ApiError(400, (String) first.get("category"), (String) first.get("message"));
    }
    var stamp = state.now();
    var results = array();
    for (int i = 0; i < valid.size(); i++) {
      var o = create(table, valid.get(i), stamp);
      associate(table, o.id(), plans.get(i));
      var node = render(table, o, List.copyOf(valid.get(i).keySet()), List.of());
      if (validInputs.get(i).hasNonNull("objectWriteTraceId")) {
        node.put("objectWriteTraceId", validInputs.get(i).get("objectWriteTraceId").asText());
      }
      results.add(node);
    }
    return batchReply(results, errors, 201);
  }

  private Reply batchUpdate(ObjectTable table, JsonNode inputs) {
    var stamp = state.now();
    var results = array();
    var errors = new ArrayList<Map<String, Object>>();
    var missing = new ArrayList<String>();
    for (var input : inputs) {
      var id = input.path("id").asText();
      var idProperty = input.path("idProperty").asText("");
      var existing = idProperty.isEmpty() ? parseId(id).flatMap(table::get).filter(o -> !o.archived())
          : table.byUnique(idProperty, id);
      if (existing.isEmpty()) {
        missing.add(id);
        continue;
      }
      try {
        var props = validate(table, input.path("properties"), false);
        results.add(render(table, update(table, existing.get().id(), props, stamp), List.copyOf(props.keySet()),
            List.of()));
      } catch (ApiError e) {
        errors.add(batchError(e.category, e.getMessage(), Map.of("ids", List.of(id))));
      }
    }
    if (!missing.isEmpty()) {
      errors.add(batchError("OBJECT_NOT_FOUND", "Could not get some " + singular(table) + " objects, they may be "
          + "deleted or not exist. Check that ids are valid.", Map.of("ids", missing)));
    }
    return batchReply(results, errors);
  }

  private Reply batchUpsert(ObjectTable table, JsonNode inputs) {
    var stamp = state.now();
    var errors = new ArrayList<Map<String, Object>>();
    var seen = new HashSet<String>();
    var valid = new LinkedHashMap<String, Map<String, String>>();
    var existingIds = new LinkedHashMap<String, Optional<StoredObject>>();
    String idProperty = null;
    for (var input : inputs) {
      idProperty = input.path("idProperty").asText("");
      var value = input.path("id").asText("");
      var def = table.definitions.get(idProperty);
      if (def == null || !(def.hasUniqueValue() || (table.name.equals("contacts") && idProperty.equals("email")))) {
        throw ApiError.validation("Property " + idProperty + " is not a unique property and cannot be used as an "
            + "idProperty for upsert");
      }
      if (value.isEmpty()) {
        errors.add(batchError("VALIDATION_ERROR", "Each input needs an id: the value of " + idProperty,
            Map.of("ids", List.of(value))));
        continue;
      }
      if (!seen.add(value)) {
        errors.add(batchError("VALIDATION_ERROR", "Duplicate id " + value + " in one upsert batch",
            Map.of("ids", List.of(value))));
        continue;
      }
      try {
        var existing = table.byUnique(idProperty, value);
        var props = validate(table, input.path("properties"), existing.isEmpty());
        props.put(idProperty, value);
        valid.put(value, props);
        existingIds.put(value, existing);
      } catch (ApiError e) {
        errors.add(batchError(e.category, e.getMessage(), Map.of("ids", List.of(value))));
      }
    }
    if (!errors.isEmpty() && faults.wholeBatchRefusal()) {
      throw new ApiError(400, (String) errors.get(0).get("category"), (String) errors.get(0).get("message"));
    }
    var results = array();
    for (var e : valid.entrySet()) {
      var existing = existingIds.get(e.getKey());
      var o = existing.isPresent() ? update(table, existing.get().id(), e.getValue(), stamp)
          : create(table, e.getValue(), stamp);
      // HubSpot answers a write with the properties it set
      var node = render(table, o, List.copyOf(e.getValue().keySet()), List.of());
      node.put("new", existing.isEmpty());
      results.add(node);
    }
    return batchReply(results, errors);
  }

  private Reply batchArchive(ObjectTable table, JsonNode inputs) {
    var at = state.now();
    for (var input : inputs) {
      parseId(input.path("id").asText()).ifPresent(id -> table.archive(id, at, state.searchLag));
    }
    return Reply.noContent();
  }

  private Reply batchReply(ArrayNode results, List<Map<String, Object>> errors) {
    return batchReply(results, errors, 200);
  }

  private Reply batchReply(ArrayNode results, List<Map<String, Object>> errors,
      int okStatus) {
    var body = object();
    body.put("status", "COMPLETE");
    body.set("results", results);
    if (!errors.isEmpty()) {
      body.put("numErrors", errors.size());
      body.set("errors", JSON.valueToTree(errors));
    }
    var now = PropertyDef.iso(state.now());
    body.put("startedAt", now);
    body.put("completedAt", now);
    return Reply.json(errors.isEmpty() ? okStatus : 207, body);
  }

  private static Map<String, Object> batchError(String category, String message, Map<String, Object> context) {
    var e = new LinkedHashMap<String, Object>();
    e.put("status", "error");
    e.put("category", category);
    e.put("message", message);
    e.put("context", context);
    // HubSpot's StandardError always carries its detail list and links, empty when there are none
    e.put("errors", List.of());
    e.put("links", Map.of());
    return e;
  }

  /**
   * Checks written property values against their definitions and returns them as strings, or
   * throws HubSpot's "Property values were not valid" error naming each bad property.
   */
  Map<String, String> validate(ObjectTable table, JsonNode properties, boolean creating) {
    var out = new LinkedHashMap<String, String>();
    var problems = new ArrayList<Map<String, Object>>();
    var fields = properties.fields();
    while (fields.hasNext()) {
      var e = fields.next();
      var name = e.getKey();
      var def = table.definitions.get(name);
      var value = e.getValue().isNull() ? "" : e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString();
      if (def == null) {
        problems.add(problem(name, "PROPERTY_DOESNT_EXIST", "Property \"" + name + "\" does not exist"));
        continue;
      }
      if (def.readOnly()) {
        problems.add(problem(name, "READ_ONLY_VALUE", "\"" + name + "\" is a read only property; its value cannot be set."));
        continue;
      }
      var invalid = def.invalid(value);
      if (invalid.isPresent()) {
        problems.add(problem(name, invalid.get()[0], invalid.get()[1]));
        continue;
      }
      out.put(name, value);
    }
    if (creating && table.name.equals("tasks") && !out.containsKey("hs_timestamp")) {
      problems.add(problem("hs_timestamp", "REQUIRED_PROPERTY", "hs_timestamp is required"));
    }
    if (!problems.isEmpty()) {
      try {
        throw ApiError.validation("Property values were not valid: " + JSON.writeValueAsString(problems));
      } catch (JsonProcessingException impossible) {
        throw new IllegalStateException(impossible);
      }
    }
    return out;
  }

  private static Map<String, Object> problem(String name, String code, String message) {
    var p = new LinkedHashMap<String, Object>();
    p.put("isValid", false);
    p.put("message", message);
    p.put("error", code);
    p.put("name", name);
    p.put("localizedErrorMessage", message);
    return p;
  }

  StoredObject create(ObjectTable table, Map<String, String> props, Instant stamp) {
    var withDerived = new LinkedHashMap<>(props);
    if (table.name.equals("deals")) {
      withDerived.putIfAbsent("pipeline", SandboxState.PIPELINE_ID);
      state.deriveDeal(withDerived);
    }
    return table.put(state.nextId(), withDerived, stamp, state.searchLag, "API");
  }

  StoredObject update(ObjectTable table, long id, Map<String, String> props, Instant stamp) {
    var withDerived = new LinkedHashMap<>(props);
    if (table.name.equals("deals")) {
      state.deriveDeal(withDerived);
    }
    return table.put(id, withDerived, stamp, state.searchLag, "API");
  }

  /** A record in HubSpot's JSON shape with the requested properties (or the type's defaults). */
  ObjectNode render(ObjectTable table, StoredObject o, List<String> requested, List<String> history) {
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
        props.set(name, rawJson(wrong.get(name)));
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

  private ObjectNode inlineAssociations(String from, long id, List<String> toTypes) {
    var out = object();
    for (var to : toTypes) {
      var toTable = state.table(to);
      if (toTable.isEmpty()) {
        continue;
      }
      var results = array();
      var name = singular(state.table(from).orElseThrow()).toLowerCase() + "_to_"
          + singular(toTable.get()).toLowerCase();
      boolean hasPrimary = state.typeIds(from, toTable.get().name)[1] != 0;
      state.associationsOf(from, id, toTable.get().name).forEach((toId, types) -> {
        var r = object();
        r.put("id", Long.toString(toId));
        // where a pair has a primary association, HubSpot names the others "..._unlabeled"
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

  /** One association a create asks for, checked before anything is written. */
  private record PlannedAssociation(String toType, long toId, List<SandboxState.AssocType> extra) {}

  /**
   * The associations in a create's {@code associations[]}, each target checked to exist and each
   * type id to be one HubSpot defines from this object type to the target's; a bad one refuses the
   * create rather than leaving a record without the association the client asked for.
   */
  private List<PlannedAssociation> planAssociations(ObjectTable table, JsonNode associations) {
    var out = new ArrayList<PlannedAssociation>();
    for (var a : associations) {
      var toId = a.path("to").path("id").asText("");
      if (!a.path("types").isArray() || a.path("types").isEmpty()) {
        throw ApiError.validation("Each association needs a 'types' array naming its association type");
      }
      for (var t : a.path("types")) {
        var typeId = t.path("associationTypeId").asInt(-1);
        PlannedAssociation found = null;
        for (var other : state.tables.values()) {
          var ids = state.typeIds(table.name, other.name);
          boolean matches = ids[0] == typeId || (ids[1] != 0 && ids[1] == typeId);
          if (matches && parseId(toId).flatMap(other::get).filter(o -> !o.archived()).isPresent()) {
            var extra = ids[1] == typeId ? List.of(new SandboxState.AssocType("HUBSPOT_DEFINED", typeId, "Primary"))
                : List.<SandboxState.AssocType>of();
            found = new PlannedAssociation(other.name, Long.parseLong(toId), extra);
            break;
          }
        }
        if (found == null) {
          throw ApiError.validation("Association type " + typeId + " from " + table.name + " does not lead to a "
              + "record with id " + toId);
        }
        out.add(found);
      }
    }
    return out;
  }

  private void associate(ObjectTable table, long id, List<PlannedAssociation> planned) {
    for (var p : planned) {
      state.associate(table.name, id, p.toType(), p.toId(), p.extra());
    }
  }

  static String singular(ObjectTable table) {
    return switch (table.name) {
      case "companies" -> "COMPANY";
      default -> table.name.substring(0, table.name.length() - 1).toUpperCase();
    };
  }

  private static JsonNode rawJson(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return HubSpotApi.NODES.textNode(json);
    }
  }

  static Optional<Long> parseId(String id) {
    try {
      return Optional.of(Long.parseLong(id));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  static List<String> strings(JsonNode array) {
    var out = new ArrayList<String>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static void paging(ObjectNode body, String after) {
    var next = object();
    next.put("after", after);
    var paging = object();
    paging.set("next", next);
    body.set("paging", paging);
  }

  private static String first(Map<String, List<String>> query, String name) {
    var v = query.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static int intParam(Map<String, List<String>> query, String name, int dflt) {
    var v = first(query, name);
    try {
      return v == null ? dflt : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw ApiError.validation("Invalid value for " + name + ": " + v);
    }
  }

  private static long longParam(Map<String, List<String>> query, String name, long dflt) {
    var v = first(query, name);
    try {
      return v == null || v.isEmpty() ? dflt : Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw ApiError.validation("Invalid value for " + name + ": " + v);
    }
  }
}
