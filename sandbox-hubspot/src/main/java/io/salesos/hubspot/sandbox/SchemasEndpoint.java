package io.salesos.hubspot.sandbox;

import static io.salesos.hubspot.sandbox.HubSpotApi.array;
import static io.salesos.hubspot.sandbox.HubSpotApi.object;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salesos.hubspot.sandbox.HubSpotApi.Reply;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HubSpot's custom object schemas ({@code /crm/v3/schemas}, also served as {@code
 * /crm-object-schemas/v3/schemas}): define a custom object with its properties and the objects it
 * associates with, list and read the definitions. A defined object gets an object type id {@code
 * 2-<id>} and a fully qualified name {@code p<portalId>_<name>}; its records live at {@code
 * /crm/v3/objects/<objectTypeId>} (or the fully qualified name) like any object's.
 */
final class SchemasEndpoint {

  /** The objects a schema's associatedObjects may name, as HubSpot spells them there. */
  private static final Map<String, String> STANDARD_TARGETS = Map.of(
      "CONTACT", "contacts", "COMPANY", "companies", "DEAL", "deals", "TASK", "tasks", "MEETING", "meetings",
      "CALL", "calls", "NOTE", "notes", "EMAIL", "emails");

  private final SandboxState state;
  private final MetadataEndpoint metadata;

  SchemasEndpoint(SandboxState state, MetadataEndpoint metadata) {
    this.state = state;
    this.metadata = metadata;
  }

  Reply list() {
    var results = array();
    state.schemas.values().forEach(s -> results.add(render(s)));
    var out = object();
    out.set("results", results);
    return Reply.json(200, out);
  }

  Reply get(String objectType) {
    return Reply.json(200, render(find(objectType)));
  }

  private SandboxState.CustomSchema find(String objectType) {
    return state.schemas.values().stream()
        .filter(s -> s.objectTypeId().equals(objectType) || s.fullyQualifiedName().equalsIgnoreCase(objectType))
        .findFirst()
        .orElseThrow(() -> new ApiError(404, "OBJECT_NOT_FOUND", "Unable to find object type " + objectType));
  }

  /** POST /crm/v3/schemas: validates the definition as HubSpot does and answers 201 with the schema. */
  Reply create(JsonNode body) {
    var unset = new ArrayList<String>();
    for (var required : List.of("name", "labels", "properties", "requiredProperties")) {
      if (!body.hasNonNull(required)) {
        unset.add(required);
      }
    }
    if (!unset.isEmpty()) {
      throw ApiError.validation("Invalid input JSON on line 1, column 1: Cannot build ObjectSchemaEgg, some of required "
          + "attributes are not set " + unset);
    }
    var name = body.path("name").asText("");
    if (!name.matches("[A-Za-z][A-Za-z0-9_]*")) {
      throw ApiError.validation("The object name '" + name + "' may hold only letters, numbers and underscores, and must"
          + " start with a letter");
    }
    if (state.schemas.values().stream().anyMatch(s -> s.name().equalsIgnoreCase(name))) {
      throw new ApiError(409, "OBJECT_ALREADY_EXISTS", "An object type with name '" + name + "' already exists");
    }
    var singular = body.path("labels").path("singular").asText("");
    var plural = body.path("labels").path("plural").asText("");
    if (singular.isBlank() || plural.isBlank()) {
      throw ApiError.validation("labels needs both a singular and a plural label");
    }
    if (!body.path("properties").isArray() || body.path("properties").isEmpty()) {
      throw ApiError.validation("A custom object needs at least one property");
    }
    var defs = new ArrayList<PropertyDef>();
    var names = new LinkedHashSet<String>();
    for (var p : body.path("properties")) {
      var def = metadata.propertyFromJson(p, PropertyDef.OBJECT_INFO);
      if (!names.add(def.name())) {
        throw ApiError.validation("The property '" + def.name() + "' is defined twice");
      }
      defs.add(def);
    }
    var required = strings(body.path("requiredProperties"));
    for (var r : required) {
      if (!names.contains(r)) {
        throw ApiError.validation("Required property '" + r + "' is not one of the object's properties " + names);
      }
    }
    var primary = body.path("primaryDisplayProperty").asText(required.isEmpty() ? defs.get(0).name() : required.get(0));
    if (!names.contains(primary)) {
      throw ApiError.validation("primaryDisplayProperty '" + primary + "' is not one of the object's properties " + names);
    }
    var targets = new ArrayList<ObjectTable>();
    for (var a : strings(body.path("associatedObjects"))) {
      var table = STANDARD_TARGETS.containsKey(a.toUpperCase(Locale.ROOT))
          ? state.table(STANDARD_TARGETS.get(a.toUpperCase(Locale.ROOT)))
          : state.table(a);
      targets.add(table.orElseThrow(() -> ApiError.validation("Unknown associated object '" + a + "'")));
    }
    var schema = state.defineCustomObject(name, singular, plural, primary, required,
        strings(body.path("searchableProperties")), strings(body.path("secondaryDisplayProperties")), defs, targets);
    return Reply.json(201, render(schema));
  }

  private static List<String> strings(JsonNode array) {
    var out = new ArrayList<String>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private ObjectNode render(SandboxState.CustomSchema s) {
    var n = object();
    n.put("id", s.id());
    n.put("objectTypeId", s.objectTypeId());
    n.put("name", s.name());
    n.put("fullyQualifiedName", s.fullyQualifiedName());
    var labels = object();
    labels.put("singular", s.singular());
    labels.put("plural", s.plural());
    n.set("labels", labels);
    n.put("metaType", "PORTAL_SPECIFIC");
    n.put("primaryDisplayProperty", s.primaryDisplayProperty());
    var required = array();
    s.required().forEach(required::add);
    n.set("requiredProperties", required);
    var searchable = array();
    s.searchable().forEach(searchable::add);
    n.set("searchableProperties", searchable);
    var secondary = array();
    s.secondary().forEach(secondary::add);
    n.set("secondaryDisplayProperties", secondary);
    n.set("properties", metadata.renderProperties(state.table(s.objectTypeId()).orElseThrow()));
    var associations = array();
    for (var a : s.associations()) {
      var an = object();
      an.put("id", a.id());
      an.put("fromObjectTypeId", a.fromObjectTypeId());
      an.put("toObjectTypeId", a.toObjectTypeId());
      an.put("name", a.name());
      associations.add(an);
    }
    n.set("associations", associations);
    n.put("archived", false);
    n.put("createdAt", PropertyDef.iso(s.createdAt()));
    n.put("updatedAt", PropertyDef.iso(s.updatedAt()));
    return n;
  }
}
