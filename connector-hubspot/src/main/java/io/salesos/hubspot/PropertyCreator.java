package io.salesos.hubspot;

import io.salesos.model.FieldType;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.CrmSchema;
import io.salesos.spi.FieldCreation;
import io.salesos.spi.FieldCreation.Outcome;
import io.salesos.spi.FieldPreparation;
import io.salesos.spi.FieldSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Creates the custom properties salesos writes through HubSpot's properties API, in a property
 * group of their own ({@code salesos}) so an admin sees at a glance where they came from, and
 * tells which existing property types can hold a canonical type's values.
 */
final class PropertyCreator {

  static final String GROUP = "salesos";

  private final HubSpotClient client;

  PropertyCreator(HubSpotClient client) {
    this.client = client;
  }

  /** The HubSpot {type, fieldType} salesos creates for a needed field. */
  static String[] typeOf(FieldSpec f) {
    if (!f.values().isEmpty() && !f.externalKey()) {
      return new String[] {"enumeration", "select"};
    }
    return switch (f.type()) {
      case STRING, ID -> new String[] {"string", "text"};
      case TEXT -> new String[] {"string", "textarea"};
      case DECIMAL, PERCENT, INTEGER, DOUBLE -> new String[] {"number", "number"};
      case BOOLEAN -> new String[] {"bool", "booleancheckbox"};
      case DATE -> new String[] {"date", "date"};
      case DATETIME -> new String[] {"datetime", "date"};
    };
  }

  /** Why an existing property of {@code found.type()} cannot hold {@code needed}'s values. */
  static Optional<String> mismatch(FieldSpec needed, CrmSchema.CrmField found) {
    var type = found.type().toLowerCase(Locale.ROOT);
    if (type.equals("association")) {
      return needed.type() == FieldType.ID ? Optional.empty()
          : Optional.of("an association holds record ids, not " + needed.type().name().toLowerCase(Locale.ROOT));
    }
    Set<String> fits = switch (needed.type()) {
      case STRING -> Set.of("string", "enumeration", "phone_number");
      // owner ids are numbers (or an owner enumeration in real portals)
      case ID -> Set.of("string", "number", "enumeration");
      case TEXT -> Set.of("string");
      case DECIMAL, PERCENT, INTEGER, DOUBLE -> Set.of("number");
      case BOOLEAN -> Set.of("bool", "enumeration");
      case DATE, DATETIME -> Set.of("date", "datetime");
    };
    if (needed.externalKey()) {
      fits = Set.of("string", "number");
    }
    if (fits.contains(type)) {
      return Optional.empty();
    }
    var want = typeOf(needed);
    return Optional.of("needs " + want[0] + " (" + want[1] + ")");
  }

  FieldPreparation create(List<FieldSpec> fields) throws ConnectorException {
    var results = new ArrayList<FieldCreation>();
    var groupsReady = new LinkedHashSet<String>();
    boolean refused = false;
    for (var f : fields) {
      var object = f.crmObject().toLowerCase(Locale.ROOT);
      if (!HubSpotConnector.OBJECT_TYPES.contains(object)) {
        results.add(new FieldCreation(f, Outcome.FAILED, "salesos creates properties only on " + HubSpotConnector.OBJECT_TYPES));
        continue;
      }
      if (f.name().startsWith(BatchWriter.ASSOCIATIONS) || f.name().startsWith("hs_")) {
        results.add(new FieldCreation(f, Outcome.FAILED, "a HubSpot-defined property or association; it cannot be created,"
            + " check the mapping"));
        continue;
      }
      if (!f.name().matches("[a-z][a-z0-9_]*")) {
        results.add(new FieldCreation(f, Outcome.FAILED, "HubSpot property names are lower-case letters, digits and '_'"));
        continue;
      }
      if (groupsReady.add(object)) {
        var g = client.exchange("POST", "/crm/v3/properties/" + object + "/groups",
            Map.of("name", GROUP, "label", "salesos"), Set.of(403, 409));
        if (g.status() == 403) {
          refused = true;
          results.add(new FieldCreation(f, Outcome.NOT_PERMITTED, message(g)));
          continue;
        }
      }
      var answer = client.exchange("POST", "/crm/v3/properties/" + object, body(f), Set.of(400, 403, 409));
      switch (answer.status()) {
        case 201, 200 -> results.add(new FieldCreation(f, Outcome.CREATED, "HubSpot type " + String.join("/", typeOf(f))));
        case 409 -> results.add(new FieldCreation(f, Outcome.EXISTED, message(answer)));
        case 403 -> {
          refused = true;
          results.add(new FieldCreation(f, Outcome.NOT_PERMITTED, message(answer)));
        }
        default -> results.add(new FieldCreation(f, Outcome.FAILED, message(answer)));
      }
    }
    var steps = new ArrayList<String>();
    if (results.stream().anyMatch(r -> r.outcome() == Outcome.CREATED)) {
      steps.add("HubSpot properties are visible to every user at once; to show salesos's on deal, task and meeting"
          + " records, add them to the record views in HubSpot's record customization settings.");
    }
    if (refused) {
      steps.add("The private app may not create properties: add the schema write scopes (crm.schemas.deals.write and"
          + " the like for tasks and meetings) in Settings > Integrations > Private apps, then run"
          + " `salesos schema prepare` again; or create the properties listed above by hand in Settings > Properties"
          + " (internal names exactly as shown; salesos_key with \"Require unique values\" on).");
    }
    return new FieldPreparation(results, steps);
  }

  private static Map<String, Object> body(FieldSpec f) {
    var t = typeOf(f);
    var body = new LinkedHashMap<String, Object>();
    body.put("name", f.name());
    body.put("label", f.label());
    body.put("description", f.description());
    body.put("groupName", GROUP);
    body.put("type", t[0]);
    body.put("fieldType", t[1]);
    body.put("formField", false);
    if (f.externalKey()) {
      body.put("hasUniqueValue", true);
    }
    var options = new ArrayList<Map<String, Object>>();
    if (t[0].equals("enumeration")) {
      int order = 0;
      for (var v : f.values()) {
        options.add(Map.of("label", v, "value", v, "displayOrder", order++, "hidden", false));
      }
    } else if (t[0].equals("bool")) {
      options.add(Map.of("label", "Yes", "value", "true", "displayOrder", 0, "hidden", false));
      options.add(Map.of("label", "No", "value", "false", "displayOrder", 1, "hidden", false));
    }
    if (!options.isEmpty()) {
      body.put("options", options);
    }
    return body;
  }

  private static String message(HubSpotClient.Answer a) {
    var m = a.body().path("message").asText("");
    return "HubSpot answered " + a.status() + (m.isEmpty() ? "" : ": " + m);
  }
}
