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

  /** The type's properties; the sandbox archives none, so {@code archived=true} lists none. */
  Reply properties(String type, Map<String, List<String>> query) {
    var table = objects.table(type);
    var results = array();
    if (!archivedParam(query)) {
      int order = 0;
      for (var d : table.definitions.values()) {
        results.add(render(d, order++));
      }
    }
    var body = object();
    body.set("results", results);
    return Reply.json(200, body);
  }

  Reply property(String type, String name, Map<String, List<String>> query) {
    var table = objects.table(type);
    var def = table.definitions.get(name);
    if (def == null || archivedParam(query)) {
      throw new ApiError(404, "OBJECT_NOT_FOUND", "Unable to find property " + name + " on " + type);
    }
    return Reply.json(200, render(def, new ArrayList<>(table.definitions.keySet()).indexOf(name)));
  }

  private static boolean archivedParam(Map<String, List<String>> query) {
    var v = query.getOrDefault("archived", List.of("false")).get(0);
    if (!v.equals("true") && !v.equals("false")) {
      throw ApiError.validation("Invalid value for archived: '" + v + "'; expected true or false");
    }
    return v.equals("true");
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
        false, body.path("description").asText(""));
    table.define(def);
    return Reply.json(201, render(def, table.definitions.size() - 1));
  }

  /**
   * One property of a custom object schema (POST /crm/v3/schemas): name, label and type required,
   * fieldType defaulting from the type, in the object's information group.
   */
  PropertyDef propertyFromJson(JsonNode p, String group) {
    var unset = new ArrayList<String>();
    for (var required : List.of("name", "label", "type")) {
      if (!p.hasNonNull(required) || p.path(required).asText("").isBlank()) {
        unset.add(required);
      }
    }
    if (!unset.isEmpty()) {
      throw ApiError.validation("Invalid input JSON on line 1, column 1: Cannot build ObjectTypePropertyCreate, some of"
          + " required attributes are not set " + unset);
    }
    var name = p.path("name").asText();
    if (!name.matches("[a-z][a-z0-9_]*")) {
      throw ApiError.validation("Property name '" + name + "' must start with a lower-case letter and hold only "
          + "lower-case letters, digits and underscores");
    }
    var dataType = p.path("type").asText().toLowerCase(java.util.Locale.ROOT);
    if (!FIELD_TYPES.containsKey(dataType)) {
      throw ApiError.validation("'" + p.path("type").asText() + "' is not a valid property type; valid: "
          + new java.util.TreeSet<>(FIELD_TYPES.keySet()));
    }
    var fieldType = p.hasNonNull("fieldType") ? p.path("fieldType").asText() : null;
    if (fieldType != null && !FIELD_TYPES.get(dataType).contains(fieldType)) {
      throw ApiError.validation("fieldType '" + fieldType + "' is not valid for a property of type " + dataType
          + "; valid: " + FIELD_TYPES.get(dataType));
    }
    var options = new ArrayList<String>();
    p.path("options").forEach(o -> options.add(o.path("value").asText("")));
    if (dataType.equals("enumeration") && options.isEmpty()) {
      throw ApiError.validation("Property '" + name + "' of type enumeration needs at least one option");
    }
    return new PropertyDef(name, p.path("label").asText(), dataType, fieldType, group, options,
        p.path("hasUniqueValue").asBoolean(false), false, false, p.path("description").asText(""));
  }

  /** Every property of a table, as the properties API renders them. */
  com.fasterxml.jackson.databind.node.ArrayNode renderProperties(ObjectTable table) {
    var results = array();
    int order = 0;
    for (var d : table.definitions.values()) {
      results.add(render(d, order++));
    }
    return results;
  }

  /**
   * PATCH /crm/v3/properties/{objectType}/{name}: changes a custom property's label, type and
   * field type (a HubSpot-defined property's type cannot change). Stored values are kept as they
   * are: HubSpot keeps every value as a string, so a value that does not fit the new type stays
   * until someone edits it.
   */
  Reply updateProperty(String type, String name, JsonNode body) {
    var table = objects.table(type);
    var def = table.definitions.get(name);
    if (def == null) {
      throw new ApiError(404, "OBJECT_NOT_FOUND", "Unable to find property " + name + " on " + type);
    }
    var dataType = body.hasNonNull("type") ? body.path("type").asText().toLowerCase(java.util.Locale.ROOT) : def.type();
    if (!dataType.equals(def.type()) && def.hubspotDefined()) {
      throw ApiError.validation("The type of the HubSpot-defined property '" + name + "' cannot be changed");
    }
    if (!FIELD_TYPES.containsKey(dataType)) {
      throw ApiError.validation("'" + dataType + "' is not a valid property type; valid: " + new java.util.TreeSet<>(FIELD_TYPES.keySet()));
    }
    var fieldType = body.hasNonNull("fieldType") ? body.path("fieldType").asText()
        : FIELD_TYPES.get(dataType).contains(def.fieldType()) ? def.fieldType() : null;
    if (fieldType != null && !FIELD_TYPES.get(dataType).contains(fieldType)) {
      throw ApiError.validation("fieldType '" + fieldType + "' is not valid for a property of type " + dataType
          + "; valid: " + FIELD_TYPES.get(dataType));
    }
    var updated = new PropertyDef(name, body.path("label").asText(def.label()), dataType, fieldType, def.groupName(),
        def.options(), def.hasUniqueValue(), def.readOnly(), def.hubspotDefined(), body.path("description").asText(def.description()));
    table.define(updated);
    return Reply.json(200, render(updated, new ArrayList<>(table.definitions.keySet()).indexOf(name)));
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

  private ObjectNode render(PropertyDef d, int displayOrder) {
    var n = object();
    n.put("name", d.name());
    n.put("label", d.label());
    n.put("type", d.type());
    n.put("fieldType", d.fieldType());
    n.put("description", d.description());
    n.put("groupName", d.groupName());
    n.put("displayOrder", displayOrder);
    n.put("hidden", false);
    n.put("formField", !d.readOnly());
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

  /** Owners, paged by {@code after} (at most 500 a page), optionally one by {@code email}, live or archived. */
  Reply owners(Map<String, List<String>> query) {
    var rawLimit = query.getOrDefault("limit", List.of("100")).get(0);
    int limit;
    try {
      limit = Integer.parseInt(rawLimit);
    } catch (NumberFormatException e) {
      throw ApiError.validation("Invalid value for limit: '" + rawLimit + "'");
    }
    limit = Math.max(1, Math.min(500, limit));
    var rawAfter = query.getOrDefault("after", List.of("")).get(0);
    long after;
    try {
      after = rawAfter.isEmpty() ? 0 : Long.parseLong(rawAfter);
    } catch (NumberFormatException e) {
      throw ApiError.validation("Invalid value for after: '" + rawAfter + "'");
    }
    var email = query.getOrDefault("email", List.of()).stream().findFirst();
    boolean archived = archivedParam(query);
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

  /** One owner by its owner id, or by its user id when {@code idProperty=userId}. */
  Reply owner(String id, Map<String, List<String>> query) {
    var idProperty = query.getOrDefault("idProperty", List.of("id")).get(0);
    if (!idProperty.equals("id") && !idProperty.equals("userId")) {
      throw ApiError.validation("Invalid value for idProperty: '" + idProperty + "'; expected id or userId");
    }
    boolean archived = archivedParam(query);
    return state.owners.stream()
        .filter(o -> o.archived() == archived)
        .filter(o -> Long.toString(idProperty.equals("id") ? o.id() : o.userId()).equals(id)).findFirst()
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
   * A record's associations to one object type, paged as HubSpot pages them: {@code limit}
   * (default and most 500) targets a page, {@code after} the last target id of the page before.
   */
  Reply associationsOf(String from, String id, String to, Map<String, List<String>> query) {
    var fromTable = objects.table(from);
    var toTable = objects.table(to);
    var fromId = ObjectsEndpoint.parseId(id).orElseThrow(() -> ApiError.validation("Invalid id " + id));
    int limit = intQuery(query, "limit", 500);
    if (limit < 1 || limit > 500) {
      throw ApiError.validation("limit must be between 1 and 500, was " + limit);
    }
    var rawAfter = query.getOrDefault("after", List.of("")).get(0);
    long after;
    try {
      after = rawAfter.isEmpty() ? Long.MIN_VALUE : Long.parseLong(rawAfter);
    } catch (NumberFormatException e) {
      throw ApiError.validation("Invalid value for after: '" + rawAfter + "'");
    }
    var all = new java.util.TreeMap<>(state.associationsOf(fromTable.name, fromId, toTable.name)).tailMap(after, false);
    var results = array();
    long last = 0;
    boolean more = false;
    for (var e : all.entrySet()) {
      if (results.size() == limit) {
        more = true;
        break;
      }
      results.add(target(e.getKey(), e.getValue()));
      last = e.getKey();
    }
    var body = object();
    body.set("results", results);
    if (more) {
      ObjectsEndpoint.paging(body, Long.toString(last));
    }
    return Reply.json(200, body);
  }

  /** The default association between two records; HubSpot answers with the spec it created, as a batch. */
  Reply associateDefault(String from, String id, String to, String toId) {
    var fromTable = objects.table(from);
    var toTable = objects.table(to);
    var startedAt = state.now();
    long a = existing(fromTable, id);
    long b = existing(toTable, toId);
    state.associate(fromTable.name, a, toTable.name, b, List.of());
    var results = array();
    results.add(defaultAssociation(fromTable, a, toTable, b));
    results.add(defaultAssociation(toTable, b, fromTable, a));
    return Reply.json(200, batchBody(startedAt, results, List.of()));
  }

  /**
   * Associates two records with the labels given in the body (an array of association specs) and
   * answers the labels the pair now holds.
   */
  Reply associateLabelled(String from, String id, String to, String toId, JsonNode body) {
    var fromTable = objects.table(from);
    var toTable = objects.table(to);
    if (!body.isArray() || body.isEmpty()) {
      throw ApiError.validation("Invalid input JSON: the body must be a non-empty array of association specs "
          + "({associationCategory, associationTypeId})");
    }
    long a = existing(fromTable, id);
    long b = existing(toTable, toId);
    var types = specs(fromTable, toTable, body);
    state.associate(fromTable.name, a, toTable.name, b, types);
    return Reply.json(201, labelsBetween(fromTable, a, toTable, b));
  }

  Reply dissociateAll(String from, String id, String to, String toId) {
    var fromTable = objects.table(from);
    var toTable = objects.table(to);
    var a = ObjectsEndpoint.parseId(id);
    var b = ObjectsEndpoint.parseId(toId);
    if (a.isPresent() && b.isPresent()) {
      state.dissociate(fromTable.name, a.get(), toTable.name, b.get());
    }
    return Reply.noContent();
  }

  /**
   * The association schema between two object types: list (HubSpot's own types and the portal's
   * labels), create a label, rename one, delete one.
   */
  Reply labels(String method, String from, String to, String typeId, JsonNode body) {
    var fromTable = objects.table(from);
    var toTable = objects.table(to);
    switch (method) {
      case "GET" -> {
        if (typeId != null) {
          throw new ApiError(405, "VALIDATION_ERROR", "HTTP method GET is not supported by this path");
        }
        var out = object();
        out.set("results", labelSpecs(fromTable.name, toTable.name));
        return Reply.json(200, out);
      }
      case "POST" -> {
        if (typeId != null) {
          throw new ApiError(405, "VALIDATION_ERROR", "HTTP method POST is not supported by this path");
        }
        var label = body.path("label").asText("");
        var name = body.path("name").asText("");
        if (label.isBlank() || name.isBlank()) {
          throw ApiError.validation("Invalid input JSON on line 1, column 1: Cannot build "
              + "PublicAssociationDefinitionCreateRequest, some of required attributes are not set "
              + (label.isBlank() ? "[label]" : "[name]"));
        }
        if (state.userLabels.containsKey(label)) {
          throw new ApiError(409, "OBJECT_ALREADY_EXISTS", "An association label '" + label + "' already exists");
        }
        int created = state.labelTypeId(label);
        state.pairLabel(fromTable.name, toTable.name, created);
        var results = array();
        results.add(spec("USER_DEFINED", created, label));
        var inverse = body.path("inverseLabel").asText("");
        if (!inverse.isBlank() && !state.userLabels.containsKey(inverse)) {
          int reverse = state.labelTypeId(inverse);
          state.pairLabel(toTable.name, fromTable.name, reverse);
          results.add(spec("USER_DEFINED", reverse, inverse));
        }
        var out = object();
        out.set("results", results);
        return Reply.json(200, out);
      }
      case "PUT" -> {
        if (typeId != null) {
          throw new ApiError(405, "VALIDATION_ERROR", "HTTP method PUT is not supported by this path");
        }
        int id = body.path("associationTypeId").asInt(0);
        var label = body.path("label").asText("");
        var old = userLabel(fromTable.name, toTable.name, id);
        if (label.isBlank()) {
          throw ApiError.validation("Invalid input JSON on line 1, column 1: Cannot build "
              + "PublicAssociationDefinitionUpdateRequest, some of required attributes are not set [label]");
        }
        state.userLabels.remove(old);
        state.userLabels.put(label, id);
        return Reply.noContent();
      }
      case "DELETE" -> {
        if (typeId == null) {
          throw new ApiError(405, "VALIDATION_ERROR", "HTTP method DELETE is not supported by this path");
        }
        int id;
        try {
          id = Integer.parseInt(typeId);
        } catch (NumberFormatException e) {
          throw ApiError.validation("Invalid associationTypeId '" + typeId + "'");
        }
        state.userLabels.remove(userLabel(fromTable.name, toTable.name, id));
        state.unpairLabel(fromTable.name, toTable.name, id);
        return Reply.noContent();
      }
      default -> throw new ApiError(405, "VALIDATION_ERROR", "HTTP method " + method + " is not supported by this path");
    }
  }

  private String userLabel(String from, String to, int typeId) {
    if (!state.pairLabels(from, to).contains(typeId)) {
      throw new ApiError(404, "OBJECT_NOT_FOUND", "No user-defined association type " + typeId + " from " + from
          + " to " + to);
    }
    return state.userLabels.entrySet().stream().filter(e -> e.getValue() == typeId).map(Map.Entry::getKey)
        .findFirst().orElseThrow(() -> new ApiError(404, "OBJECT_NOT_FOUND", "No association type " + typeId));
  }

  private com.fasterxml.jackson.databind.node.ArrayNode labelSpecs(String from, String to) {
    var results = array();
    int[] ids = state.typeIds(from, to);
    if (ids[0] != 0) {
      results.add(spec("HUBSPOT_DEFINED", ids[0], null));
    }
    if (ids[1] != 0) {
      results.add(spec("HUBSPOT_DEFINED", ids[1], "Primary"));
    }
    for (var typeId : state.pairLabels(from, to)) {
      state.userLabels.entrySet().stream().filter(e -> e.getValue().equals(typeId)).findFirst()
          .ifPresent(e -> results.add(spec("USER_DEFINED", typeId, e.getKey())));
    }
    return results;
  }

  private static ObjectNode spec(String category, int typeId, String label) {
    var n = object();
    n.put("category", category);
    n.put("typeId", typeId);
    if (label == null) {
      n.putNull("label");
    } else {
      n.put("label", label);
    }
    return n;
  }

  /** The association types named in a request, checked against the pair's known types. */
  private List<SandboxState.AssocType> specs(ObjectTable fromTable, ObjectTable toTable, JsonNode types) {
    var out = new ArrayList<SandboxState.AssocType>();
    int[] ids = state.typeIds(fromTable.name, toTable.name);
    for (var t : types) {
      var category = t.path("associationCategory").asText("");
      if (!t.path("associationTypeId").canConvertToInt()) {
        throw ApiError.validation("Each association spec needs an integer associationTypeId");
      }
      var typeId = t.path("associationTypeId").asInt();
      switch (category) {
        case "HUBSPOT_DEFINED" -> {
          if (typeId != ids[0] && (ids[1] == 0 || typeId != ids[1])) {
            throw ApiError.validation(typeId + " is not a valid HUBSPOT_DEFINED association type from "
                + fromTable.name + " to " + toTable.name);
          }
          out.add(new SandboxState.AssocType(category, typeId, typeId == ids[1] ? "Primary" : null));
        }
        case "USER_DEFINED" -> {
          var label = state.userLabels.entrySet().stream().filter(e -> e.getValue() == typeId)
              .map(Map.Entry::getKey).findFirst()
              .orElseThrow(() -> ApiError.validation(typeId + " is not a valid USER_DEFINED association type from "
                  + fromTable.name + " to " + toTable.name));
          out.add(new SandboxState.AssocType(category, typeId, label));
        }
        default -> throw ApiError.validation("associationCategory must be HUBSPOT_DEFINED, USER_DEFINED or "
            + "INTEGRATOR_DEFINED, was '" + category + "'");
      }
    }
    return out;
  }

  private ObjectNode labelsBetween(ObjectTable fromTable, long a, ObjectTable toTable, long b) {
    var n = object();
    n.put("fromObjectTypeId", fromTable.typeId);
    n.put("fromObjectId", a);
    n.put("toObjectTypeId", toTable.typeId);
    n.put("toObjectId", b);
    var labels = array();
    state.associationsOf(fromTable.name, a, toTable.name).getOrDefault(b, List.of()).stream()
        .map(SandboxState.AssocType::label).filter(java.util.Objects::nonNull).forEach(labels::add);
    n.set("labels", labels);
    return n;
  }

  private ObjectNode defaultAssociation(ObjectTable fromTable, long a, ObjectTable toTable, long b) {
    var n = object();
    n.set("from", object().put("id", Long.toString(a)));
    n.set("to", object().put("id", Long.toString(b)));
    var spec = object();
    spec.put("associationCategory", "HUBSPOT_DEFINED");
    spec.put("associationTypeId", state.typeIds(fromTable.name, toTable.name)[0]);
    n.set("associationSpec", spec);
    return n;
  }

  /**
   * The v4 association batch actions: read, create (with labels), associate/default, archive and
   * labels/archive; at most 100 inputs, inputs naming missing records answered 207 with errors.
   */
  Reply associationBatch(String from, String to, String action, JsonNode body) {
    var fromTable = objects.table(from);
    var toTable = objects.table(to);
    var inputs = body.path("inputs");
    if (!inputs.isArray()) {
      throw ApiError.validation("Invalid input JSON: 'inputs' must be an array");
    }
    if (inputs.size() > ObjectsEndpoint.MAX_BATCH) {
      throw ApiError.validation("Too many inputs: the maximum number of inputs supported in a batch request is 100, "
          + "received " + inputs.size() + ". Please reduce the number of items and try again");
    }
    var startedAt = state.now();
    var results = array();
    var missing = new ArrayList<String>();
    switch (action) {
      case "read" -> {
        for (var input : inputs) {
          var id = input.path("id").asText();
          var fromId = ObjectsEndpoint.parseId(id);
          if (fromId.isEmpty() || fromTable.get(fromId.get()).filter(o -> !o.archived()).isEmpty()) {
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
          var fromId = ObjectsEndpoint.parseId(a).filter(n -> fromTable.get(n).filter(o -> !o.archived()).isPresent());
          var toId = ObjectsEndpoint.parseId(b).filter(n -> toTable.get(n).filter(o -> !o.archived()).isPresent());
          if (fromId.isEmpty() || toId.isEmpty()) {
            missing.add(fromId.isEmpty() ? a : b);
            continue;
          }
          if (action.equals("create")) {
            state.associate(fromTable.name, fromId.get(), toTable.name, toId.get(),
                specs(fromTable, toTable, input.path("types")));
            results.add(labelsBetween(fromTable, fromId.get(), toTable, toId.get()));
          } else {
            state.associate(fromTable.name, fromId.get(), toTable.name, toId.get(), List.of());
            results.add(defaultAssociation(fromTable, fromId.get(), toTable, toId.get()));
          }
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
      case "labels/archive" -> {
        for (var input : inputs) {
          var a = ObjectsEndpoint.parseId(input.path("from").path("id").asText());
          var b = ObjectsEndpoint.parseId(input.path("to").path("id").asText());
          if (a.isPresent() && b.isPresent()) {
            state.removeTypes(fromTable.name, a.get(), toTable.name, b.get(), specs(fromTable, toTable, input.path("types")));
          }
        }
        return Reply.noContent();
      }
      default -> throw new ApiError(404, "OBJECT_NOT_FOUND", "No association batch action '" + action + "'");
    }
    var errors = new ArrayList<Map<String, Object>>();
    if (!missing.isEmpty()) {
      var err = new java.util.LinkedHashMap<String, Object>();
      err.put("status", "error");
      err.put("category", "OBJECT_NOT_FOUND");
      err.put("message", "No " + (action.equals("read") ? fromTable.name : "records") + " found for ids " + missing);
      err.put("context", Map.of("ids", missing));
      err.put("errors", List.of());
      err.put("links", Map.of());
      errors.add(err);
    }
    return Reply.json(errors.isEmpty() ? (action.equals("create") ? 201 : 200) : 207,
        batchBody(startedAt, results, errors));
  }

  private ObjectNode batchBody(java.time.Instant startedAt, com.fasterxml.jackson.databind.node.ArrayNode results,
      List<Map<String, Object>> errors) {
    var out = object();
    out.put("status", "COMPLETE");
    out.set("results", results);
    if (!errors.isEmpty()) {
      out.put("numErrors", errors.size());
      out.set("errors", HubSpotApi.JSON.valueToTree(errors));
    }
    out.put("startedAt", PropertyDef.iso(startedAt));
    out.put("completedAt", PropertyDef.iso(state.now()));
    return out;
  }

  private com.fasterxml.jackson.databind.node.ArrayNode targets(String from, long fromId, String to) {
    var list = array();
    new java.util.TreeMap<>(state.associationsOf(from, fromId, to)).forEach((toId, types) -> list.add(target(toId, types)));
    return list;
  }

  private static ObjectNode target(long toId, List<SandboxState.AssocType> types) {
    var r = object();
    r.put("toObjectId", toId);
    var ts = array();
    for (var t : types) {
      ts.add(spec(t.category(), t.typeId(), t.label()));
    }
    r.set("associationTypes", ts);
    return r;
  }

  private static int intQuery(Map<String, List<String>> query, String name, int dflt) {
    var v = query.getOrDefault(name, List.of()).stream().findFirst().orElse(null);
    try {
      return v == null || v.isEmpty() ? dflt : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw ApiError.validation("Invalid value for " + name + ": '" + v + "'");
    }
  }

  private static long existing(ObjectTable table, String id) {
    return ObjectsEndpoint.parseId(id).filter(n -> table.get(n).filter(o -> !o.archived()).isPresent())
        .orElseThrow(() -> new ApiError(404, "OBJECT_NOT_FOUND", "No " + table.name + " with id " + id));
  }
}
