package io.salesos.salesforce;

import com.sforce.soap.metadata.CustomValue;
import com.sforce.soap.metadata.Metadata;
import com.sforce.soap.metadata.PermissionSet;
import com.sforce.soap.metadata.PermissionSetFieldPermissions;
import com.sforce.soap.metadata.ValueSet;
import com.sforce.soap.metadata.ValueSetValuesDefinition;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.CrmSchema;
import io.salesos.spi.FieldCreation;
import io.salesos.spi.FieldCreation.Outcome;
import io.salesos.spi.FieldPreparation;
import io.salesos.spi.FieldSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The custom fields salesos writes, as Salesforce metadata: created through the Metadata API
 * (force-wsc's MetadataConnection, createMetadata of CustomField) with a permission set that grants
 * the integration user edit access to them, or written as a metadata-format package an admin
 * deploys. Custom fields of Task and Event are created once, on Activity, as Salesforce defines
 * them.
 */
final class CustomFields {

  static final String PERMISSION_SET = "Salesos_Integration";
  private static final int MAX_PER_CALL = 10;
  private static final Set<String> ACTIVITY = Set.of("task", "event");

  /** One CustomField definition, CRM-neutral enough to become a wsc object or package XML. */
  record Definition(String object, String field, String label, String description, String type, int length,
      int precision, int scale, int visibleLines, boolean externalId, List<String> values) {

    String fullName() {
      return object + "." + field;
    }
  }

  private final SalesforceSession session;
  private final SalesforceSettings settings;

  CustomFields(SalesforceSession session, SalesforceSettings settings) {
    this.session = session;
    this.settings = settings;
  }

  /** The object a custom field of {@code crmObject} is defined on: Activity for Task and Event. */
  static String definingObject(String crmObject) {
    return ACTIVITY.contains(crmObject.toLowerCase(Locale.ROOT)) ? "Activity" : crmObject;
  }

  static Definition definition(FieldSpec f) {
    var object = definingObject(f.crmObject());
    if (f.externalKey()) {
      return new Definition(object, f.name(), f.label(), f.description(), "Text", 255, 0, 0, 0, true, List.of());
    }
    if (!f.values().isEmpty()) {
      return new Definition(object, f.name(), f.label(), f.description(), "Picklist", 0, 0, 0, 0, false, f.values());
    }
    return switch (f.type()) {
      case STRING -> new Definition(object, f.name(), f.label(), f.description(), "Text", 255, 0, 0, 0, false, List.of());
      case ID -> new Definition(object, f.name(), f.label(), f.description(), "Text", 18, 0, 0, 0, false, List.of());
      case TEXT -> new Definition(object, f.name(), f.label(), f.description(), "LongTextArea", 32_768, 0, 0, 6, false,
          List.of());
      case DECIMAL -> new Definition(object, f.name(), f.label(), f.description(), "Number", 0, 18, 2, 0, false, List.of());
      case PERCENT -> new Definition(object, f.name(), f.label(), f.description(), "Percent", 0, 7, 4, 0, false, List.of());
      case INTEGER -> new Definition(object, f.name(), f.label(), f.description(), "Number", 0, 18, 0, 0, false, List.of());
      case DOUBLE -> new Definition(object, f.name(), f.label(), f.description(), "Number", 0, 18, 6, 0, false, List.of());
      case BOOLEAN -> new Definition(object, f.name(), f.label(), f.description(), "Checkbox", 0, 0, 0, 0, false, List.of());
      case DATE -> new Definition(object, f.name(), f.label(), f.description(), "Date", 0, 0, 0, 0, false, List.of());
      case DATETIME -> new Definition(object, f.name(), f.label(), f.description(), "DateTime", 0, 0, 0, 0, false, List.of());
    };
  }

  /** Why an existing field of describe type {@code found.type()} cannot hold {@code needed}'s values. */
  static Optional<String> mismatch(FieldSpec needed, CrmSchema.CrmField found) {
    var type = found.type().toLowerCase(Locale.ROOT);
    Set<String> fits = switch (needed.type()) {
      case STRING -> Set.of("string", "textarea", "picklist", "combobox", "email", "phone", "url");
      case TEXT -> Set.of("textarea");
      case ID -> Set.of("id", "reference", "string");
      case DECIMAL, PERCENT, INTEGER, DOUBLE -> Set.of("double", "currency", "percent", "int", "long");
      case BOOLEAN -> Set.of("boolean");
      case DATE -> Set.of("date");
      case DATETIME -> Set.of("datetime");
    };
    if (needed.externalKey()) {
      fits = Set.of("string");
    }
    if (fits.contains(type)) {
      return Optional.empty();
    }
    var d = definition(needed);
    return Optional.of("needs " + describe(d));
  }

  /** A definition as Setup names it: "Long Text Area(32768)", "Picklist", "Text(255) External ID, Unique". */
  static String describe(Definition d) {
    return switch (d.type()) {
      case "Text" -> "Text(" + d.length() + ")" + (d.externalId() ? " External ID, Unique" : "");
      case "LongTextArea" -> "Long Text Area(" + d.length() + ")";
      case "Number", "Percent" -> d.type() + "(" + (d.precision() - d.scale()) + ", " + d.scale() + ")";
      case "DateTime" -> "Date/Time";
      default -> d.type();
    };
  }

  // ---- through the Metadata API ----

  FieldPreparation create(List<FieldSpec> fields) throws ConnectorException {
    var results = new LinkedHashMap<FieldSpec, FieldCreation>();
    var definitions = new LinkedHashMap<String, Definition>();
    var specsByFullName = new TreeMap<String, List<FieldSpec>>(String.CASE_INSENSITIVE_ORDER);
    for (var f : fields) {
      if (!f.name().endsWith("__c")) {
        results.put(f, new FieldCreation(f, Outcome.FAILED, "a standard field; only custom fields (ending in __c) can be"
            + " created, check the mapping"));
        continue;
      }
      var d = definition(f);
      definitions.putIfAbsent(d.fullName().toLowerCase(Locale.ROOT), d);
      specsByFullName.computeIfAbsent(d.fullName(), k -> new ArrayList<>()).add(f);
    }
    var toCreate = new ArrayList<>(definitions.values());
    boolean refused = false;
    for (int from = 0; from < toCreate.size(); from += MAX_PER_CALL) {
      var chunk = toCreate.subList(from, Math.min(toCreate.size(), from + MAX_PER_CALL));
      var metadata = chunk.stream().map(CustomFields::customField).toArray(Metadata[]::new);
      com.sforce.soap.metadata.SaveResult[] saved;
      try {
        saved = session.metadata("createMetadata CustomField", m -> m.createMetadata(metadata));
      } catch (ConnectorException e) {
        if (!insufficientAccess(e)) {
          throw e;
        }
        refused = true;
        for (var d : chunk) {
          for (var f : specsByFullName.get(d.fullName())) {
            results.put(f, new FieldCreation(f, Outcome.NOT_PERMITTED, rootMessage(e)));
          }
        }
        continue;
      }
      for (int i = 0; i < saved.length; i++) {
        var r = saved[i];
        var d = chunk.get(i);
        Outcome outcome;
        String detail;
        if (r.isSuccess()) {
          outcome = Outcome.CREATED;
          detail = d.fullName() + " " + describe(d);
        } else {
          var err = r.getErrors().length == 0 ? null : r.getErrors()[0];
          var code = err == null || err.getStatusCode() == null ? "" : err.getStatusCode().name();
          detail = err == null ? "refused without a reason" : code + ": " + err.getMessage();
          outcome = switch (code) {
            case "DUPLICATE_DEVELOPER_NAME" -> Outcome.EXISTED;
            case "INSUFFICIENT_ACCESS", "INSUFFICIENT_ACCESS_OR_READONLY" -> Outcome.NOT_PERMITTED;
            default -> Outcome.FAILED;
          };
          refused |= outcome == Outcome.NOT_PERMITTED;
        }
        for (var f : specsByFullName.get(d.fullName())) {
          results.put(f, new FieldCreation(f, outcome, detail));
        }
      }
    }
    var steps = new ArrayList<String>();
    var granted = permissionNames(results.values().stream()
        .filter(r -> r.outcome() == Outcome.CREATED || r.outcome() == Outcome.EXISTED).map(FieldCreation::field).toList());
    if (!granted.isEmpty()) {
      steps.addAll(grant(granted));
    }
    if (refused) {
      steps.add("The integration user may not use the Metadata API (it needs \"Modify Metadata Through Metadata API"
          + " Functions\" or \"Modify All Data\"): an admin deploys the package written below instead.");
    }
    var ordered = new ArrayList<FieldCreation>();
    for (var f : fields) {
      ordered.add(results.get(f));
    }
    return new FieldPreparation(ordered, steps);
  }

  /**
   * Deploys the permission set that lets the integration user read and edit the fields and
   * assigns it to that user (this session's user), returning what an admin still does. A new
   * field is hidden from every user by field-level security until a profile or permission set
   * grants it.
   */
  private List<String> grant(List<String> fullNames) {
    var set = permissionSet(fullNames);
    var user = settings.username().orElse("<the integration user>");
    try {
      var result = session.metadata("upsertMetadata PermissionSet", m -> m.upsertMetadata(new Metadata[] {set}))[0];
      if (result.isSuccess()) {
        var notAssigned = assignToIntegrationUser();
        var reps = "To show salesos's fields to reps and managers, give their profiles or a permission set read access"
            + " to them and add them to the page layouts (Setup > Object Manager > the object > Page Layouts).";
        if (notAssigned.isEmpty()) {
          return List.of("Done: the permission set \"salesos integration\" (" + PERMISSION_SET + ") grants edit access to "
              + fullNames.size() + " field(s) and is assigned to the integration user " + user + ".", reps);
        }
        return List.of("Assign the permission set \"salesos integration\" (" + PERMISSION_SET + "), which grants edit"
            + " access to " + fullNames.size() + " field(s), to " + user + " (salesos could not: " + notAssigned.get()
            + "): Setup > Users > " + user + " > Permission Set Assignments > Edit Assignments, or\n  sf org assign permset"
            + " --name " + PERMISSION_SET + " --on-behalf-of " + user + " --target-org <your org alias>\nUntil then"
            + " field-level security hides the new fields from the integration user, and its writes to them fail.", reps);
      }
      var err = result.getErrors().length == 0 ? "" : result.getErrors()[0].getMessage();
      return List.of(grantByHand(fullNames, user, "the permission set could not be saved: " + err));
    } catch (ConnectorException e) {
      // the fields exist by now: report them, and leave field access to a person
      return List.of(grantByHand(fullNames, user, rootMessage(e)));
    }
  }

  /** Assigns the permission set to this session's user; empty when it holds it now, else why not. */
  private Optional<String> assignToIntegrationUser() {
    try {
      var userId = session.call("getUserInfo", (p, b) -> p.getUserInfo().getUserId());
      var sets = session.call("query PermissionSet", (p, b) ->
          p.query("SELECT Id FROM PermissionSet WHERE Name = '" + PERMISSION_SET + "'"));
      if (sets.getSize() == 0) {
        return Optional.of("the permission set is not visible to the API yet");
      }
      var setId = sets.getRecords()[0].getId();
      var held = session.call("query PermissionSetAssignment", (p, b) -> p.query(
          "SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '" + userId + "' AND PermissionSetId = '" + setId + "'"));
      if (held.getSize() > 0) {
        return Optional.empty();
      }
      var assignment = new com.sforce.soap.partner.sobject.SObject("PermissionSetAssignment");
      assignment.setField("AssigneeId", userId);
      assignment.setField("PermissionSetId", setId);
      var saved = session.call("assign permission set", (p, b) ->
          p.create(new com.sforce.soap.partner.sobject.SObject[] {assignment}))[0];
      if (saved.isSuccess()) {
        return Optional.empty();
      }
      var err = saved.getErrors().length == 0 ? null : saved.getErrors()[0];
      return Optional.of(err == null ? "refused" : err.getStatusCode() + ": " + err.getMessage());
    } catch (ConnectorException e) {
      return Optional.of(e.getMessage());
    }
  }

  private static String grantByHand(List<String> fullNames, String user, String why) {
    return "Give " + user + " edit access to " + String.join(", ", fullNames) + " (Setup > Object Manager > the"
        + " object > Fields > the field > Set Field-Level Security, or a permission set): " + why;
  }

  /**
   * The field names a permission set grants: per sObject, so an Activity field is granted as
   * Task.X__c and Event.X__c (field permissions name the object the user sees, not Activity).
   */
  static List<String> permissionNames(List<FieldSpec> fields) {
    return fields.stream().filter(f -> f.name().endsWith("__c")).map(FieldSpec::qualifiedName).distinct().toList();
  }

  static PermissionSet permissionSet(List<String> fullNames) {
    var set = new PermissionSet();
    set.setFullName(PERMISSION_SET);
    set.setLabel("salesos integration");
    set.setDescription("Lets the salesos integration user read and edit the fields salesos writes.");
    var perms = new ArrayList<PermissionSetFieldPermissions>();
    for (var name : fullNames) {
      var p = new PermissionSetFieldPermissions();
      p.setField(name);
      p.setReadable(true);
      p.setEditable(true);
      perms.add(p);
    }
    set.setFieldPermissions(perms.toArray(PermissionSetFieldPermissions[]::new));
    return set;
  }

  private static com.sforce.soap.metadata.CustomField customField(Definition d) {
    var f = new com.sforce.soap.metadata.CustomField();
    f.setFullName(d.fullName());
    f.setLabel(d.label());
    f.setDescription(d.description());
    f.setType(com.sforce.soap.metadata.FieldType.valueOf(d.type()));
    switch (d.type()) {
      case "Text" -> {
        f.setLength(d.length());
        if (d.externalId()) {
          f.setExternalId(true);
          f.setUnique(true);
          f.setCaseSensitive(false);
        }
      }
      case "LongTextArea" -> {
        f.setLength(d.length());
        f.setVisibleLines(d.visibleLines());
      }
      case "Number", "Percent" -> {
        f.setPrecision(d.precision());
        f.setScale(d.scale());
      }
      case "Checkbox" -> f.setDefaultValue("false");
      case "Picklist" -> {
        var values = new ArrayList<CustomValue>();
        for (var v : d.values()) {
          var cv = new CustomValue();
          cv.setFullName(v);
          cv.setLabel(v);
          cv.setDefault(false);
          values.add(cv);
        }
        var definition = new ValueSetValuesDefinition();
        definition.setSorted(false);
        definition.setValue(values.toArray(CustomValue[]::new));
        var set = new ValueSet();
        set.setRestricted(true);
        set.setValueSetDefinition(definition);
        f.setValueSet(set);
      }
      default -> { }
    }
    return f;
  }

  // ---- as a package to deploy ----

  /** Writes the fields and the permission set as a metadata-format package into {@code dir}. */
  FieldPreparation writePackage(List<FieldSpec> fields, Path dir) throws ConnectorException {
    var results = new ArrayList<FieldCreation>();
    var byObject = new TreeMap<String, Map<String, Definition>>();
    for (var f : fields) {
      if (!f.name().endsWith("__c")) {
        results.add(new FieldCreation(f, Outcome.FAILED, "a standard field; only custom fields (ending in __c) can be"
            + " created, check the mapping"));
        continue;
      }
      var d = definition(f);
      byObject.computeIfAbsent(d.object(), k -> new TreeMap<>(String.CASE_INSENSITIVE_ORDER)).putIfAbsent(d.field(), d);
      results.add(new FieldCreation(f, Outcome.PACKAGED, d.fullName() + " " + describe(d) + " in " + dir.resolve("objects")
          .resolve(d.object() + ".object")));
    }
    var fullNames = byObject.values().stream().flatMap(m -> m.values().stream()).map(Definition::fullName).toList();
    try {
      Files.createDirectories(dir.resolve("objects"));
      Files.createDirectories(dir.resolve("permissionsets"));
      for (var e : byObject.entrySet()) {
        write(dir.resolve("objects").resolve(e.getKey() + ".object"), objectXml(e.getValue().values()));
      }
      write(dir.resolve("permissionsets").resolve(PERMISSION_SET + ".permissionset"),
          permissionSetXml(permissionNames(fields)));
      write(dir.resolve("package.xml"), packageXml(fullNames, settings.apiVersion()));
    } catch (IOException e) {
      throw new ConnectorException(ConnectorException.Kind.PERMANENT, "could not write the package into " + dir + ": "
          + e.getMessage(), e);
    }
    var user = settings.username().orElse("<the integration user>");
    var steps = fullNames.isEmpty() ? List.<String>of() : List.of(
        "Deploy the package in " + dir + " (metadata format: package.xml, objects/, permissionsets/) to the org:\n"
            + "  sf project deploy start --metadata-dir " + dir + " --target-org <your org alias>\n"
            + "(or zip the directory and deploy it in Workbench: Migration > Deploy)",
        "Assign the permission set " + PERMISSION_SET + " to " + user + ":\n  sf org assign permset --name "
            + PERMISSION_SET + " --on-behalf-of " + user + " --target-org <your org alias>",
        "Run `salesos schema verify` again: it should show every field ok.");
    return new FieldPreparation(results, steps);
  }

  private static void write(Path file, String xml) throws IOException {
    Files.writeString(file, xml, StandardCharsets.UTF_8);
  }

  static String packageXml(List<String> fullNames, String apiVersion) {
    var sb = new StringBuilder(HEADER).append("<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n");
    sb.append("    <types>\n");
    for (var n : fullNames) {
      sb.append("        <members>").append(esc(n)).append("</members>\n");
    }
    sb.append("        <name>CustomField</name>\n    </types>\n");
    sb.append("    <types>\n        <members>").append(PERMISSION_SET).append("</members>\n")
        .append("        <name>PermissionSet</name>\n    </types>\n");
    return sb.append("    <version>").append(esc(apiVersion)).append("</version>\n</Package>\n").toString();
  }

  static String objectXml(java.util.Collection<Definition> fields) {
    var sb = new StringBuilder(HEADER).append("<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n");
    for (var d : fields) {
      sb.append("    <fields>\n");
      // elements in the order of the CustomField type's schema (alphabetical after fullName)
      tag(sb, "fullName", d.field());
      if (d.externalId()) {
        tag(sb, "caseSensitive", "false");
      }
      if (d.type().equals("Checkbox")) {
        tag(sb, "defaultValue", "false");
      }
      tag(sb, "description", d.description());
      if (d.externalId()) {
        tag(sb, "externalId", "true");
      }
      tag(sb, "label", d.label());
      if (d.length() > 0) {
        tag(sb, "length", Integer.toString(d.length()));
      }
      if (d.precision() > 0) {
        tag(sb, "precision", Integer.toString(d.precision()));
      }
      tag(sb, "required", "false");
      if (d.precision() > 0) {
        tag(sb, "scale", Integer.toString(d.scale()));
      }
      tag(sb, "type", d.type());
      if (d.externalId()) {
        tag(sb, "unique", "true");
      }
      if (!d.values().isEmpty()) {
        sb.append("        <valueSet>\n            <restricted>true</restricted>\n            <valueSetDefinition>\n")
            .append("                <sorted>false</sorted>\n");
        for (var v : d.values()) {
          sb.append("                <value>\n                    <fullName>").append(esc(v))
              .append("</fullName>\n                    <default>false</default>\n                    <label>")
              .append(esc(v)).append("</label>\n                </value>\n");
        }
        sb.append("            </valueSetDefinition>\n        </valueSet>\n");
      }
      if (d.visibleLines() > 0) {
        tag(sb, "visibleLines", Integer.toString(d.visibleLines()));
      }
      sb.append("    </fields>\n");
    }
    return sb.append("</CustomObject>\n").toString();
  }

  static String permissionSetXml(List<String> fullNames) {
    var sb = new StringBuilder(HEADER).append("<PermissionSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n");
    sb.append("    <description>Lets the salesos integration user read and edit the fields salesos writes.</description>\n");
    for (var n : fullNames) {
      sb.append("    <fieldPermissions>\n        <editable>true</editable>\n        <field>").append(esc(n))
          .append("</field>\n        <readable>true</readable>\n    </fieldPermissions>\n");
    }
    sb.append("    <hasActivationRequired>false</hasActivationRequired>\n    <label>salesos integration</label>\n");
    return sb.append("</PermissionSet>\n").toString();
  }

  private static final String HEADER = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

  private static void tag(StringBuilder sb, String name, String value) {
    sb.append("        <").append(name).append('>').append(esc(value)).append("</").append(name).append(">\n");
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static boolean insufficientAccess(ConnectorException e) {
    return e.getCause() instanceof com.sforce.ws.SoapFaultException s
        && Set.of("INSUFFICIENT_ACCESS", "API_DISABLED_FOR_ORG").contains(SalesforceFaults.faultCode(s));
  }

  private static String rootMessage(ConnectorException e) {
    return e.getCause() == null || e.getCause().getMessage() == null ? e.getMessage() : e.getCause().getMessage();
  }
}
