package io.salesos.salesforce.sandbox;

import static io.salesos.salesforce.sandbox.SoapEndpoint.child;
import static io.salesos.salesforce.sandbox.SoapEndpoint.children;
import static io.salesos.salesforce.sandbox.SoapEndpoint.firstElement;
import static io.salesos.salesforce.sandbox.SoapEndpoint.text;
import static io.salesos.salesforce.sandbox.WireFormat.xmlEscape;

import io.salesos.salesforce.sandbox.OrgSchema.FieldDef;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The Metadata API of the sandbox org ({@code /services/Soap/m/{version}}), as far as custom
 * fields go: createMetadata of CustomField (a new field is at once in describeSObject and
 * writable, queryable and usable as an upsert key), upsertMetadata and readMetadata of
 * PermissionSet, and readMetadata of CustomField. Answers are real metadata SOAP envelopes that
 * force-wsc's MetadataConnection reads unmodified; whole-call failures are SOAP faults.
 *
 * <p>As in Salesforce, custom fields of Task and Event are defined on {@code Activity} and appear
 * on both. The call needs the user's "Modify Metadata Through Metadata API Functions" (or Modify
 * All Data) permission; {@link #permitted(boolean)} takes it away for tests. Field-level security
 * is modelled for the integration user: a field created here stays hidden from it (describe,
 * queries and saves answer as for a field that does not exist) until a permission set granting
 * it is assigned to the user (a PermissionSetAssignment record); a deployed permission set is
 * also a PermissionSet record, found by Name.
 */
final class MetadataEndpoint {

  static final String NS = "http://soap.sforce.com/2006/04/metadata";
  private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
  /** createMetadata, upsertMetadata and readMetadata take at most 10 components per call. */
  private static final int MAX_COMPONENTS = 10;
  private static final Set<String> ACTIVITY = Set.of("Task", "Event");

  /** One save result of a component: its full name, and the error when it failed. */
  private record Saved(String fullName, boolean created, String statusCode, String message, String field) {
    boolean success() {
      return statusCode == null;
    }
  }

  private final OrgStore store;
  private final ApiGate gate;
  private final DocumentBuilderFactory dbf = HardenedXml.documentBuilderFactory();
  // read from the store's assignment hook without this endpoint's lock: copy-on-write values
  private final Map<String, Map<String, boolean[]>> permissionSets = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, String> permissionSetLabels = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  private final Map<String, Element> fieldDefinitions = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  private volatile boolean permitted = true;

  MetadataEndpoint(OrgStore store, ApiGate gate) {
    this.store = store;
    this.gate = gate;
    store.onAssignment(this::assigned);
  }

  /** A permission set was assigned: its field access applies to the integration user. */
  private void assigned(OrgStore.Row assignment) {
    if (!java.util.Objects.equals(assignment.get("AssigneeId"), store.integrationUserId())) {
      return;
    }
    store.find((String) assignment.get("PermissionSetId"))
        .map(ps -> (String) ps.get("Name"))
        .map(name -> permissionSets.getOrDefault(key(name), Map.of()))
        .ifPresent(this::grant);
  }

  private void grant(Map<String, boolean[]> fields) {
    fields.forEach((qualified, access) -> {
      if (!access[0]) {
        return;
      }
      int dot = qualified.indexOf('.');
      var object = qualified.substring(0, dot);
      var field = qualified.substring(dot + 1);
      // field permissions name the sObject (Task.X__c, Event.X__c); Activity.X__c is taken for both
      for (var t : object.equalsIgnoreCase("Activity") ? List.copyOf(ACTIVITY) : List.of(object)) {
        store.schema().grant(t, field, access[1]);
      }
    });
  }

  private static String key(String name) {
    return name.toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether the integration user may use the Metadata API (Modify Metadata or Modify All Data). */
  void permitted(boolean yes) {
    this.permitted = yes;
  }

  /** The field permissions of a permission set deployed through this API: field to {readable, editable}. */
  synchronized Map<String, boolean[]> permissionSet(String name) {
    return Map.copyOf(permissionSets.getOrDefault(key(name), Map.of()));
  }

  Reply handle(byte[] body) {
    Element envelope;
    try {
      envelope = dbf.newDocumentBuilder().parse(new ByteArrayInputStream(body)).getDocumentElement();
    } catch (Exception e) {
      return fault("UNKNOWN_EXCEPTION", "Unable to parse the request: " + e.getMessage());
    }
    var header = child(envelope, "Header");
    var operation = firstElement(child(envelope, "Body"));
    if (operation == null) {
      return fault("UNKNOWN_EXCEPTION", "No operation in the SOAP body");
    }
    var admission = gate.admit(text(child(child(header, "SessionHeader"), "sessionId")));
    if (!admission.admitted()) {
      if (admission.faultCode() == null) {
        return Reply.of(admission.httpStatus(), "text/html", "<html><body><h1>" + admission.httpStatus()
            + "</h1>Service temporarily unavailable</body></html>");
      }
      return fault(admission.faultCode(), admission.faultMessage());
    }
    if (!permitted) {
      return fault("INSUFFICIENT_ACCESS", "use of the Metadata API requires a user with the ModifyAllData or"
          + " ModifyMetadata permissions");
    }
    var op = operation.getLocalName();
    var components = children(operation, "metadata");
    if (components.size() > MAX_COMPONENTS) {
      return fault("UNKNOWN_EXCEPTION", "You can't create, update or read more than " + MAX_COMPONENTS
          + " components at a time; the request had " + components.size());
    }
    synchronized (this) {
      return switch (op) {
        case "createMetadata" -> saveResponse("createMetadata", components.stream().map(this::create).toList(), false);
        case "upsertMetadata" -> saveResponse("upsertMetadata", components.stream().map(this::upsert).toList(), true);
        case "readMetadata" -> read(text(child(operation, "type")), children(operation, "fullNames").stream()
            .map(SoapEndpoint::text).toList());
        default -> fault("UNKNOWN_EXCEPTION", "The sandbox does not serve the metadata operation '" + op + "'");
      };
    }
  }

  // ---- createMetadata ----

  private Saved create(Element m) {
    var type = xsiType(m);
    var fullName = text(child(m, "fullName"));
    if (fullName == null || fullName.isBlank()) {
      return new Saved("", false, "REQUIRED_FIELD_MISSING", "Required field is missing: fullName", "fullName");
    }
    return switch (type) {
      case "CustomField" -> createField(fullName, m);
      case "PermissionSet" -> permissionSets.containsKey(key(fullName))
          ? new Saved(fullName, false, "DUPLICATE_DEVELOPER_NAME", "This API Name is already in use: " + fullName, "fullName")
          : savePermissionSet(fullName, m, true);
      default -> new Saved(fullName, false, "INVALID_TYPE", "The sandbox creates only CustomField and PermissionSet"
          + " components, not " + type, null);
    };
  }

  private Saved createField(String fullName, Element m) {
    int dot = fullName.indexOf('.');
    if (dot <= 0) {
      return new Saved(fullName, false, "INVALID_FULLNAME", "A custom field's full name is Object.Field__c: " + fullName, "fullName");
    }
    var objectName = fullName.substring(0, dot);
    var fieldName = fullName.substring(dot + 1);
    if (!fieldName.matches("[A-Za-z](?:[A-Za-z0-9]|_(?!_))*__c")) {
      return new Saved(fullName, false, "INVALID_FULLNAME", "The field name " + fieldName + " must end in __c, begin"
          + " with a letter, and use only letters, digits and single underscores", "fullName");
    }
    if (ACTIVITY.stream().anyMatch(a -> a.equalsIgnoreCase(objectName))) {
      // unconfirmed wording; the rule (activity fields live on Activity) is Salesforce's
      return new Saved(fullName, false, "FIELD_INTEGRITY_EXCEPTION", "Custom fields of Task and Event are defined on"
          + " Activity: use Activity." + fieldName, "fullName");
    }
    List<String> targets = objectName.equalsIgnoreCase("Activity") ? List.copyOf(ACTIVITY) : List.of(objectName);
    for (var t : targets) {
      var def = store.schema().object(t);
      if (def.isEmpty()) {
        return new Saved(fullName, false, "INVALID_CROSS_REFERENCE_KEY", "In field: fullName - no CustomObject named "
            + objectName + " found", "fullName");
      }
      if (store.schema().defines(t, fieldName)) {
        return new Saved(fullName, false, "DUPLICATE_DEVELOPER_NAME", "There is already a field named "
            + fieldName.substring(0, fieldName.length() - 3) + " on " + objectName + ".", "fullName");
      }
    }
    FieldDef field;
    try {
      field = fieldDef(fieldName, m);
    } catch (IllegalArgumentException e) {
      return new Saved(fullName, false, "FIELD_INTEGRITY_EXCEPTION", e.getMessage(), null);
    }
    for (var t : targets) {
      store.schema().addHidden(t, field);
    }
    fieldDefinitions.put(fullName, (Element) m.cloneNode(true));
    return new Saved(fullName, true, null, null, null);
  }

  /** The describe-level field a CustomField definition makes, or why the definition is invalid. */
  private static FieldDef fieldDef(String name, Element m) {
    var label = text(child(m, "label"));
    if (label == null || label.isBlank()) {
      throw new IllegalArgumentException("Field label: You must enter a value");
    }
    var type = text(child(m, "type"));
    if (type == null) {
      throw new IllegalArgumentException("Field type: You must choose a data type");
    }
    boolean externalId = bool(m, "externalId");
    boolean unique = bool(m, "unique");
    int length = integer(m, "length", 0);
    var picklist = new ArrayList<String>();
    var definition = child(child(m, "valueSet"), "valueSetDefinition");
    if (definition != null) {
      for (var v : children(definition, "value")) {
        picklist.add(text(child(v, "fullName")));
      }
    }
    String describeType = switch (type) {
      case "Text" -> {
        if (length < 1 || length > 255) {
          throw new IllegalArgumentException("Length: a Text field's length must be between 1 and 255");
        }
        yield "string";
      }
      case "LongTextArea" -> {
        if (length < 256 || length > 131_072) {
          throw new IllegalArgumentException("Length: a Long Text Area's length must be between 256 and 131,072");
        }
        if (integer(m, "visibleLines", 0) < 2) {
          throw new IllegalArgumentException("Visible Lines: a Long Text Area needs at least 2 visible lines");
        }
        yield "textarea";
      }
      case "TextArea" -> {
        length = 255;
        yield "textarea";
      }
      case "Picklist" -> {
        if (picklist.isEmpty()) {
          throw new IllegalArgumentException("Values: a picklist needs at least one value (valueSet.valueSetDefinition)");
        }
        if (Set.copyOf(picklist).size() != picklist.size()) {
          throw new IllegalArgumentException("Values: duplicate picklist values are not allowed");
        }
        yield "picklist";
      }
      case "Number", "Percent", "Currency" -> {
        int precision = integer(m, "precision", -1);
        int scale = integer(m, "scale", -1);
        if (precision < 1 || precision > 18 || scale < 0 || scale > precision) {
          throw new IllegalArgumentException("Length and Decimal Places: precision must be 1 to 18 and scale 0 to precision");
        }
        yield switch (type) {
          case "Percent" -> "percent";
          case "Currency" -> "currency";
          default -> "double";
        };
      }
      case "Checkbox" -> "boolean";
      case "Date" -> "date";
      case "DateTime" -> "datetime";
      default -> throw new IllegalArgumentException("The sandbox does not create custom fields of type " + type);
    };
    if ((externalId || unique) && !(type.equals("Text") || type.equals("Number"))) {
      throw new IllegalArgumentException("External ID and Unique apply only to Text, Number and Email fields");
    }
    return new FieldDef(name, label, describeType, true, true, true, !type.equals("Checkbox"), externalId, unique,
        describeType.equals("string") || describeType.equals("textarea") ? length : 0, List.of(), List.copyOf(picklist),
        false);
  }

  // ---- permission sets ----

  private Saved upsert(Element m) {
    var type = xsiType(m);
    var fullName = text(child(m, "fullName"));
    if (fullName == null || fullName.isBlank()) {
      return new Saved("", false, "REQUIRED_FIELD_MISSING", "Required field is missing: fullName", "fullName");
    }
    if (!type.equals("PermissionSet")) {
      return new Saved(fullName, false, "INVALID_TYPE", "The sandbox upserts only PermissionSet components, not " + type, null);
    }
    return savePermissionSet(fullName, m, !permissionSets.containsKey(key(fullName)));
  }

  private Saved savePermissionSet(String fullName, Element m, boolean created) {
    if (!fullName.matches("[A-Za-z](?:[A-Za-z0-9]|_(?!_))*")) {
      return new Saved(fullName, false, "INVALID_FULLNAME", "The API name " + fullName + " must begin with a letter and"
          + " use only letters, digits and single underscores", "fullName");
    }
    var label = text(child(m, "label"));
    if (created && (label == null || label.isBlank())) {
      return new Saved(fullName, false, "REQUIRED_FIELD_MISSING", "Required field is missing: label", "label");
    }
    var fields = new LinkedHashMap<String, boolean[]>();
    for (var p : children(m, "fieldPermissions")) {
      var field = text(child(p, "field"));
      if (field == null || !fieldExists(field)) {
        return new Saved(fullName, false, "INVALID_CROSS_REFERENCE_KEY", "In field: field - no CustomField named "
            + field + " found", "fieldPermissions");
      }
      boolean editable = bool(p, "editable");
      boolean readable = bool(p, "readable");
      if (editable && !readable) {
        return new Saved(fullName, false, "FIELD_INTEGRITY_EXCEPTION", "Permission Edit on " + field
            + " depends on permission(s): Read", "fieldPermissions");
      }
      fields.put(field, new boolean[] {readable, editable});
    }
    // a deploy changes the permissions it names and keeps the others
    var merged = new TreeMap<String, boolean[]>(String.CASE_INSENSITIVE_ORDER);
    merged.putAll(permissionSets.getOrDefault(key(fullName), Map.of()));
    merged.putAll(fields);
    permissionSets.put(key(fullName), java.util.Collections.unmodifiableMap(merged));
    if (label != null) {
      permissionSetLabels.put(fullName, label);
    }
    var record = permissionSetRecord(fullName, label);
    // users who hold the set already get the new field access at once
    boolean held = store.scan("PermissionSetAssignment", false).stream()
        .anyMatch(a -> record.equals(a.get("PermissionSetId")) && store.integrationUserId().equals(a.get("AssigneeId")));
    if (held) {
      grant(merged);
    }
    return new Saved(fullName, created, null, null, null);
  }

  /** The PermissionSet record of a deployed set (made on first deploy), as queries find it by Name. */
  private String permissionSetRecord(String fullName, String label) {
    var existing = store.scan("PermissionSet", false).stream()
        .filter(r -> fullName.equalsIgnoreCase(String.valueOf(r.get("Name")))).findFirst();
    if (existing.isPresent()) {
      return existing.get().id;
    }
    var now = store.stampNow();
    var values = new java.util.HashMap<String, Object>();
    values.put("Name", fullName);
    values.put("Label", label == null ? fullName : label);
    values.put("IsOwnedByProfile", Boolean.FALSE);
    return store.seed("PermissionSet", values, now, now).id;
  }

  private boolean fieldExists(String qualified) {
    int dot = qualified.indexOf('.');
    if (dot <= 0) {
      return false;
    }
    var object = qualified.substring(0, dot);
    var field = qualified.substring(dot + 1);
    List<String> targets = object.equalsIgnoreCase("Activity") ? List.copyOf(ACTIVITY) : List.of(object);
    return targets.stream().allMatch(t -> store.schema().defines(t, field));
  }

  // ---- readMetadata ----

  private Reply read(String type, List<String> names) {
    var sb = new StringBuilder("<readMetadataResponse><result>");
    for (var name : names) {
      if ("PermissionSet".equals(type) && permissionSets.containsKey(key(name))) {
        sb.append("<records xsi:type=\"PermissionSet\"><fullName>").append(xmlEscape(name)).append("</fullName>");
        for (var e : permissionSets.get(key(name)).entrySet()) {
          sb.append("<fieldPermissions><editable>").append(e.getValue()[1]).append("</editable><field>")
              .append(xmlEscape(e.getKey())).append("</field><readable>").append(e.getValue()[0])
              .append("</readable></fieldPermissions>");
        }
        sb.append("<hasActivationRequired>false</hasActivationRequired><label>")
            .append(xmlEscape(permissionSetLabels.getOrDefault(name, name))).append("</label></records>");
      } else if ("CustomField".equals(type) && fieldDefinitions.containsKey(name)) {
        sb.append("<records xsi:type=\"CustomField\">");
        for (Node c = fieldDefinitions.get(name).getFirstChild(); c != null; c = c.getNextSibling()) {
          if (c instanceof Element e) {
            sb.append(serialize(e));
          }
        }
        sb.append("</records>");
      }
      // an unknown name reads as nothing, as in Salesforce
    }
    return Reply.xml(200, envelope(sb.append("</result></readMetadataResponse>").toString()));
  }

  private static String serialize(Element e) {
    var sb = new StringBuilder("<").append(e.getLocalName()).append('>');
    boolean leaf = true;
    for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
      if (c instanceof Element child) {
        leaf = false;
        sb.append(serialize(child));
      }
    }
    if (leaf) {
      sb.append(xmlEscape(e.getTextContent()));
    }
    return sb.append("</").append(e.getLocalName()).append('>').toString();
  }

  // ---- envelopes ----

  private static Reply saveResponse(String op, List<Saved> results, boolean upsert) {
    var sb = new StringBuilder("<").append(op).append("Response>");
    for (var r : results) {
      sb.append("<result>");
      if (upsert) {
        sb.append("<created>").append(r.created()).append("</created>");
      }
      if (!r.success()) {
        sb.append("<errors>");
        if (r.field() != null) {
          sb.append("<fields>").append(r.field()).append("</fields>");
        }
        sb.append("<message>").append(xmlEscape(r.message())).append("</message><statusCode>").append(r.statusCode())
            .append("</statusCode></errors>");
      }
      sb.append("<fullName>").append(xmlEscape(r.fullName())).append("</fullName><success>").append(r.success())
          .append("</success></result>");
    }
    return Reply.xml(200, envelope(sb.append("</").append(op).append("Response>").toString()));
  }

  private static String envelope(String body) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
        + " xmlns=\"" + NS + "\" xmlns:xsi=\"" + XSI + "\"><soapenv:Body>" + body + "</soapenv:Body></soapenv:Envelope>";
  }

  static Reply fault(String code, String message) {
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
        + " xmlns:sf=\"" + NS + "\"><soapenv:Body><soapenv:Fault><faultcode>sf:" + code + "</faultcode><faultstring>"
        + xmlEscape(code + ": " + message) + "</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
    return Reply.xml(500, xml);
  }

  private static String xsiType(Element m) {
    var t = m.getAttributeNS(XSI, "type");
    int colon = t.indexOf(':');
    return colon < 0 ? t : t.substring(colon + 1);
  }

  private static boolean bool(Element m, String name) {
    return "true".equalsIgnoreCase(text(child(m, name)));
  }

  private static int integer(Element m, String name, int otherwise) {
    var v = text(child(m, name));
    try {
      return v == null ? otherwise : Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }
}
