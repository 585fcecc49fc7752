package io.salesos.hubspot.sandbox;

import static io.salesos.hubspot.sandbox.HubSpotApi.array;
import static io.salesos.hubspot.sandbox.HubSpotApi.object;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salesos.hubspot.sandbox.HubSpotApi.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Properties, owners, deal pipelines and v4 associations. */
final class MetadataEndpoint {

  private final SandboxState state;
  private final ObjectsEndpoint objects;

  MetadataEndpoint(SandboxState state, ObjectsEndpoint objects) {
    this.state = state;
    this.objects = objects;
  }

  Reply properties(String type) {
    var table = objects.table(type);
    var results = array();
    table.definitions.values().forEach(d -> results.add(render(d)));
    var body = object();
    body.set("results", results);
    return Reply.json(200, body);
  }

  Reply property(String type, String name) {
    var def = objects.table(type).definitions.get(name);
    if (def == null) {
      throw new ApiError(404, "OBJECT_NOT_FOUND", "Unable to find property " + name + " on " + type);
    }
    return Reply.json(200, render(def));
  }

  /** The fieldType values each property type accepts (HubSpot's properties guide). */
  private static final Map<String, List<String>> FIELD_TYPES = Map.of(
      "bool", List.of("booleancheckbox", "calculation_equation"),
      "enumeration", List.of("booleancheckbox", "checkbox", "radio", "select", "calculation_equation"),
      "date", List.of("date"),
      "datetime", List.of("date"),
      "string", List.of("file", "text", "textarea", "calculation_equation", "html", "phonenumber"),
      "number", List.of("number", "calculation_equation"),
      "phone_number", List.of("phonenumber"));

  /**
   * Creates a custom property as HubSpot's {@code POST /crm/v3/properties/{objectType}} does:
   * name, label, groupName, type and fieldType are required, the group must exist, fieldType must
   * suit type, an enumeration needs options with distinct values, only single-line text and
   * numbers may hold unique values, and an existing name is a 409. The property is usable by the
   * objects, batch and search endpoints at once.
   */
  Reply createProperty(String type, JsonNode body) {
    var table = objects.table(type);
    var unset = new ArrayList<String>();
    for (var required : List.of("name", "label", "groupName", "type", "fieldType")) {
      if (!body.hasNonNull(required) || body.path(required).asText("").isBlank()) {
        unset.add(required);
      }
    }
    if (!unset.isEmpty()) {
      throw ApiError.validation("Invalid input JSON on line 1, column 1: Cannot build PropertyCreate, some of required "
          + "attributes are not set " + unset);
    }
    var name = body.path("name").asText();
    if (!name.matches("[a-z][a-z0-9_]*")) {
      throw ApiError.validation("Property name '" + name + "' must start with a lower-case letter and hold only "
          + "lower-case letters, digits and underscores");
    }
    if (table.definitions.containsKey(name)) {
      throw new ApiError(409, "OBJECT_ALREADY_EXISTS", "Property named '" + name + "' already exists.");
    }
    var dataType = body.path("type").asText().toLowerCase(java.util.Locale.ROOT);
    var fieldType = body.path("fieldType").asText();
    if (!FIELD_TYPES.containsKey(dataType)) {
      throw ApiError.validation("'" + body.path("type").asText() + "' is not a valid property type; valid: "
          + new java.util.TreeSet<>(FIELD_TYPES.keySet()));
    }
    if (!FIELD_TYPES.get(dataType).contains(fieldType)) {
      throw ApiError.validation("fieldType '" + fieldType + "' is not valid for a property of type " + dataType
          + "; valid: " + FIELD_TYPES.get(dataType));
    }
    var group = body.path("groupName").asText();
    if (!table.groups.containsKey(group)) {
      throw ApiError.validation("Property group '" + group + "' does not exist on " + table.name
          + "; create it first (POST /crm/v3/properties/" + table.name + "/groups)");
    }
    var options = new ArrayList<String>();
    for (var o : body.path("options")) {
      var value = o.path("value").asText("");
      if (value.isEmpty() || o.path("label").asText("").isEmpty()) {
        throw ApiError.validation("Every option of '" + name + "' needs a label and a value");
      }
      if (options.contains(value)) {
        throw ApiError.validation("Option value '" + value + "' appears more than once in '" + name + "'");
      }
      options.add(value);
    }
    if (dataType.equals("enumeration") && options.isEmpty()) {
      throw ApiError.validation("Property '" + name + "' of type enumeration needs at least one option");
    }
    if (dataType.equals("bool") && !options.isEmpty() && !new java.util.HashSet<>(options).equals(java.util.Set.of("true", "false"))) {
      throw ApiError.validation("The options of a bool property must have the values true and false");
    }
    boolean unique = body.path("hasUniqueValue").asBoolean(false);
    if (unique && !(dataType.equals("number") || (dataType.equals("string") && fieldType.equals("text")))) {
      throw ApiError.validation("Only single-line text and number properties can require unique values; '" + name
          + "' is " + dataType + "/" + fieldType);
    }
    var def = new PropertyDef(name, body.path("label").asText(), dataType, fieldType, group, options, unique, false,
        false);
    table.define(def);
    return Reply.json(201, render(def));
  }

  Reply groups(String type) {
    var table = objects.table(type);
    var results = array();
    int order = 0;
    for (var g : table.groups.entrySet()) {
      results.add(renderGroup(g.getKey(), g.getValue(), order++));
    }
    var body = object();
    body.set("results", results);
    return Reply.json(200, body);
  }

  Reply group(String type, String name) {
    var table = objects.table(type);
    var label = table.groups.get(name);
    if (label == null) {
      throw new ApiError(404, "OBJECT_NOT_FOUND", "Unable to find property group " + name + " on " + table.name);
    }
    return Reply.json(200, renderGroup(name, label, new ArrayList<>(table.groups.keySet()).indexOf(name)));
  }

  Reply createGroup(String type, JsonNode body) {
    var table = objects.table(type);
    var name = body.path("name").asText("");
    var label = body.path("label").asText("");
    if (name.isBlank() || label.isBlank()) {
      throw ApiError.validation("Invalid input JSON on line 1, column 1: Cannot build PropertyGroupCreate, some of "
          + "required attributes are not set " + (name.isBlank() ? "[name" + (label.isBlank() ? ", label]" : "]") : "[label]"));
    }
    if (!name.matches("[a-z][a-z0-9_]*")) {
      throw ApiError.validation("Property group name '" + name + "' must start with a lower-case letter and hold only "
          + "lower-case letters, digits and underscores");
    }
    if (table.groups.containsKey(name)) {
      throw new ApiError(409, "OBJECT_ALREADY_EXISTS", "Property group named '" + name + "' already exists.");
    }
    table.groups.put(name, label);
    return Reply.json(201, renderGroup(name, label, table.groups.size() - 1));
  }

  private static ObjectNode renderGroup(String name, String label, int order) {
    var n = object();
    n.put("name", name);
    n.put("label", label);
    n.put("displayOrder", order);
    n.put("archived", false);
    return n;
  }

  private ObjectNode render(PropertyDef d) {
    var n = object();
    n.put("name", d.name());
    n.put("label", d.label());
    n.put("type", d.type());
    n.put("fieldType", d.fieldType());
    n.put("groupName", d.groupName());
    var options = array();
    int order = 0;
    for (var o : d.options()) {
      var on = object();
      on.put("label", o);
      on.put("value", o);
      on.put("displayOrder", order++);
      on.put("hidden", false);
      options.add(on);
    }
    n.set("options", options);
    n.put("hasUniqueValue", d.hasUniqueValue());
    n.put("hubspotDefined", d.hubspotDefined());
    n.put("calculated", false);
    var meta = object();
    meta.put("readOnlyValue", d.readOnly());
    meta.put("readOnlyDefinition", d.hubspotDefined());
    meta.put("archivable", !d.hubspotDefined());
    n.set("modificationMetadata", meta);
    return n;
  }

  Reply owners(Map<String, List<String>> query) {
    int limit = Math.min(500, Integer.parseInt(query.getOrDefault("limit", List.of("100")).get(0)));
    long after = Long.parseLong(query.getOrDefault("after", List.of("0")).get(0).isEmpty() ? "0"
        : query.getOrDefault("after", List.of("0")).get(0));
    var email = query.getOrDefault("email", List.of()).stream().findFirst();
    boolean archived = query.getOrDefault("archived", List.of("false")).get(0).equals("true");
    var results = array();
    long last = 0;
    boolean more = false;
    for (var o : state.owners) {
      if (o.id() <= after || o.archived() != archived || (email.isPresent() && !email.get().equalsIgnoreCase(o.email()))) {
        continue;
      }
      if (results.size() == limit) {
        more = true;
        break;
      }
      results.add(render(o));
      last = o.id();
    }
    var body = object();
    body.set("results", results);
    if (more) {
      ObjectsEndpoint.paging(body, Long.toString(last));
    }
    return Reply.json(200, body);
  }

  Reply owner(String id) {
    return state.owners.stream().filter(o -> Long.toString(o.id()).equals(id)).findFirst()
        .map(o -> Reply.json(200, render(o)))
        .orElseThrow(() -> new ApiError(404, "OBJECT_NOT_FOUND", "Owner " + id + " not found"));
  }

  private static ObjectNode render(SandboxState.Owner o) {
    var n = object();
    n.put("id", Long.toString(o.id()));
    n.put("email", o.email());
    n.put("type", "PERSON");
    n.put("firstName", o.firstName());
    n.put("lastName", o.lastName());
    n.put("userId", o.userId());
    n.put("createdAt", PropertyDef.iso(o.createdAt()));
    n.put("updatedAt", PropertyDef.iso(o.updatedAt()));
    n.put("archived", o.archived());
    return n;
  }

  /**
   * The account's details (GET /account-info/v3/details): the portal id, currency and the portal's
   * time zone with its current UTC offset, as HubSpot answers.
   */
  Reply accountDetails() {
    var zone = java.time.ZoneId.of(state.portalTimeZone);
    var offset = zone.getRules().getOffset(state.clock.instant());
    var n = object();
    n.put("portalId", SandboxState.PORTAL_ID);
    n.put("accountType", "STANDARD");
    n.put("timeZone", state.portalTimeZone);
    n.put("companyCurrency", "USD");
    n.set("additionalCurrencies", array());
    n.put("utcOffset", offset.getId().equals("Z") ? "+00:00" : offset.getId());
    n.put("utcOffsetMilliseconds", offset.getTotalSeconds() * 1000L);
    n.put("uiDomain", "app.hubspot.com");
    n.put("dataHostingLocation", "na1");
    return Reply.json(200, n);
  }

  Reply pipelines(String id) {
    var p = object();
    p.put("id", SandboxState.PIPELINE_ID);
    p.put("label", "Field sales pipeline");
    p.put("displayOrder", 0);
    p.put("archived", false);
    var stages = array();
    for (var s : state.stages) {
      var n = object();
      n.put("id", s.id());
      n.put("label", s.label());
      n.put("displayOrder", s.displayOrder());
      n.put("archived", false);
      var meta = object();
      meta.put("isClosed", Boolean.toString(s.closed()));
      meta.put("probability", s.probability());
      n.set("metadata", meta);
      stages.add(n);
    }
    p.set("stages", stages);
    if (!id.isEmpty()) {
      if (!id.equals(SandboxState.PIPELINE_ID)) {
        throw new ApiError(404, "OBJECT_NOT_FOUND", "Pipeline " + id + " not found");
      }
      return Reply.json(200, p);
    }
    var body = object();
    body.set("results", array().add(p));
    return Reply.json(200, body);
  }

  Reply associationsOf(String from, String id, String to, Map<String, List<String>> query) {
    var fromTable = objects.table(from);
    var toTable = objects.table(to);
    var fromId = ObjectsEndpoint.parseId(id).orElseThrow(() -> ApiError.validation("Invalid id " + id));
    var body = object();
    body.set("results", targets(fromTable.name, fromId, toTable.name));
    return Reply.json(200, body);
  }

  Reply associateDefault(String from, String id, String to, String toId) {
    var fromTable = objects.table(from);
    var toTable = objects.table(to);
    long a = existing(fromTable, id);
    long b = existing(toTable, toId);
    state.associate(fromTable.name, a, toTable.name, b, List.of());
    var body = object();
    body.put("status", "COMPLETE");
    body.set("results", array());
    return Reply.json(200, body);
  }

  Reply associationBatch(String from, String to, String action, JsonNode body) {
    var fromTable = objects.table(from);
    var toTable = objects.table(to);
    var inputs = body.path("inputs");
    if (inputs.size() > ObjectsEndpoint.MAX_BATCH) {
      throw ApiError.validation("Too many inputs: the maximum number of inputs supported in a batch request is 100, "
          + "received " + inputs.size() + ". Please reduce the number of items and try again");
    }
    var results = array();
    var missing = new ArrayList<String>();
    switch (action) {
      case "read" -> {
        for (var input : inputs) {
          var id = input.path("id").asText();
          var fromId = ObjectsEndpoint.parseId(id);
          if (fromId.isEmpty() || fromTable.get(fromId.get()).isEmpty()) {
            missing.add(id);
            continue;
          }
          var r = object();
          r.set("from", object().put("id", id));
          r.set("to", targets(fromTable.name, fromId.get(), toTable.name));
          results.add(r);
        }
      }
      case "associate/default", "create" -> {
        for (var input : inputs) {
          var a = input.path("from").path("id").asText();
          var b = input.path("to").path("id").asText();
          var fromId = ObjectsEndpoint.parseId(a).filter(n -> fromTable.get(n).isPresent());
          var toId = ObjectsEndpoint.parseId(b).filter(n -> toTable.get(n).isPresent());
          if (fromId.isEmpty() || toId.isEmpty()) {
            missing.add(fromId.isEmpty() ? a : b);
            continue;
          }
          var extra = new ArrayList<SandboxState.AssocType>();
          for (var t : input.path("types")) {
            var category = t.path("associationCategory").asText("HUBSPOT_DEFINED");
            var typeId = t.path("associationTypeId").asInt();
            var label = category.equals("USER_DEFINED") ? state.userLabels.entrySet().stream()
                .filter(e -> e.getValue() == typeId).map(Map.Entry::getKey).findFirst().orElse(null) : null;
            extra.add(new SandboxState.AssocType(category, typeId, label));
          }
          state.associate(fromTable.name, fromId.get(), toTable.name, toId.get(), extra);
          var r = object();
          r.set("from", object().put("id", a));
          r.set("to", object().put("id", b));
          results.add(r);
        }
      }
      case "archive" -> {
        for (var input : inputs) {
          var a = ObjectsEndpoint.parseId(input.path("from").path("id").asText());
          for (var t : input.path("to")) {
            var b = ObjectsEndpoint.parseId(t.path("id").asText());
            if (a.isPresent() && b.isPresent()) {
              state.dissociate(fromTable.name, a.get(), toTable.name, b.get());
            }
          }
        }
        return Reply.noContent();
      }
      default -> throw new ApiError(404, "OBJECT_NOT_FOUND", "No association batch action '" + action + "'");
    }
    var out = object();
    out.put("status", "COMPLETE");
    out.set("results", results);
    if (!missing.isEmpty()) {
      out.put("numErrors", 1);
      var err = object();
      err.put("status", "error");
      err.put("category", "OBJECT_NOT_FOUND");
      err.put("message", "No records found for ids " + missing);
      err.set("context", object().set("ids", HubSpotApi.JSON.valueToTree(missing)));
      out.set("errors", array().add(err));
    }
    return Reply.json(missing.isEmpty() ? 200 : 207, out);
  }

  private com.fasterxml.jackson.databind.node.ArrayNode targets(String from, long fromId, String to) {
    var list = array();
    state.associationsOf(from, fromId, to).forEach((toId, types) -> {
      var r = object();
      r.put("toObjectId", toId);
      var ts = array();
      for (var t : types) {
        var tn = object();
        tn.put("category", t.category());
        tn.put("typeId", t.typeId());
        if (t.label() == null) {
          tn.putNull("label");
        } else {
          tn.put("label", t.label());
        }
        ts.add(tn);
      }
      r.set("associationTypes", ts);
      list.add(r);
    });
    return list;
  }

  private static long existing(ObjectTable table, String id) {
    return ObjectsEndpoint.parseId(id).filter(n -> table.get(n).filter(o -> !o.archived()).isPresent())
        .orElseThrow(() -> new ApiError(404, "OBJECT_NOT_FOUND", "No " + table.name + " with id " + id));
  }
}
