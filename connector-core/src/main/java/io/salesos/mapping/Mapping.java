package io.salesos.mapping;

import io.salesos.config.YamlNode;
import io.salesos.mirror.SqlName;
import io.salesos.model.CanonicalSchema;
import io.salesos.model.FieldType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A connection's field mapping (a file under {@code config/mappings/}): which CRM objects and
 * fields land in which canonical objects and fields. Names are checked strictly at load, so a CRM
 * field name can never smuggle SQL into the mirror.
 */
public record Mapping(String file, String crm, List<ObjectMapping> objects, List<CustomObjectMapping> customObjects) {

  static final Pattern CRM_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.]{0,127}");

  public Mapping {
    objects = List.copyOf(objects);
    customObjects = List.copyOf(customObjects);
  }

  /** A mapping of canonical objects only. */
  public Mapping(String file, String crm, List<ObjectMapping> objects) {
    this(file, crm, objects, List.of());
  }

  public Optional<ObjectMapping> forCrmObject(String crmObject) {
    return objects.stream().filter(o -> o.crmObject().equals(crmObject)).findFirst();
  }

  public List<ObjectMapping> forCanonical(String canonicalObject) {
    return objects.stream().filter(o -> o.canonicalObject().equals(canonicalObject)).toList();
  }

  /** Every canonical column this mapping needs, per canonical object (for the mirror schema). */
  public Map<String, Map<String, FieldType>> columns() {
    var out = new LinkedHashMap<String, Map<String, FieldType>>();
    for (var o : objects) {
      out.computeIfAbsent(o.canonicalObject(), k -> new LinkedHashMap<>()).putAll(o.canonicalTypes());
    }
    return out;
  }

  public static Mapping load(Path file) {
    return from(YamlNode.load(file));
  }

  public static Mapping from(YamlNode root) {
    root.allowOnly(Set.of("crm", "objects", "custom_objects"));
    var crm = root.require("crm").asString();
    var objects = new ArrayList<ObjectMapping>();
    var seen = new java.util.HashSet<String>();
    for (var o : root.require("objects").items()) {
      var m = object(o);
      if (!seen.add(m.crmObject())) {
        throw o.error("the CRM object " + m.crmObject() + " is mapped twice");
      }
      objects.add(m);
    }
    var custom = new ArrayList<CustomObjectMapping>();
    var tables = new java.util.HashSet<String>();
    var relations = new java.util.HashSet<String>();
    for (var o : root.get("custom_objects").items()) {
      var m = customObject(o);
      if (!seen.add(m.crmObject())) {
        throw o.error("the CRM object " + m.crmObject() + " is mapped twice");
      }
      if (!tables.add(m.table())) {
        throw o.get("table").error("two custom objects land in the table " + m.tableName());
      }
      if (m.relation().isPresent() && !relations.add(m.relation().get().parent() + "." + m.relation().get().name())) {
        throw o.get("relation").error("the relation " + m.relation().get().parent() + "." + m.relation().get().name()
            + " is declared twice");
      }
      custom.add(m);
    }
    return new Mapping(root.file(), crm, objects, custom);
  }

  /** The canonical objects a custom object's relation may hang from. */
  public static final java.util.List<String> RELATION_PARENTS = List.of(CanonicalSchema.ACCOUNT);

  private static CustomObjectMapping customObject(YamlNode o) {
    o.allowOnly(Set.of("crm_object", "table", "fields", "relation"));
    var crmObject = crmName(o.require("crm_object"));
    var tableNode = o.require("table");
    var table = canonicalName(tableNode);
    if ((CustomObjectMapping.TABLE_PREFIX + table).length() > 64) {
      throw tableNode.error("'" + table + "' is too long: custom_" + table + " must fit in 64 characters");
    }
    var fields = new java.util.LinkedHashMap<String, String>();
    var fieldsNode = o.get("fields");
    if (fieldsNode.isNull()) {
      // every field the CRM describes
    } else if (fieldsNode.isScalar()) {
      if (!fieldsNode.asString().equals("all")) {
        throw fieldsNode.error("fields must be 'all' (every field the CRM describes), a list of CRM fields, or a map CRM field -> column");
      }
    } else if (fieldsNode.isSequence()) {
      for (var f : fieldsNode.items()) {
        var crmField = crmName(f);
        var column = CustomObjectMapping.columnFor(crmField).orElseThrow(() -> f.error(
            "'" + crmField + "' gives no valid column name; use the map form (" + crmField + ": column_name)"));
        putColumn(fields, crmField, column, f);
      }
    } else if (fieldsNode.isMapping()) {
      for (var e : fieldsNode.entries().entrySet()) {
        if (!CRM_NAME.matcher(e.getKey()).matches()) {
          throw e.getValue().error("'" + e.getKey() + "' is not a valid CRM field name (letters, digits, '_' and '.')");
        }
        putColumn(fields, e.getKey(), canonicalName(e.getValue()), e.getValue());
      }
    } else {
      throw fieldsNode.error("fields must be 'all', a list of CRM fields, or a map CRM field -> column");
    }
    Optional<CustomObjectMapping.Relation> relation = Optional.empty();
    var r = o.get("relation");
    if (!r.isNull()) {
      r.allowOnly(Set.of("name", "from", "key"));
      var name = canonicalName(r.require("name"));
      var parentNode = r.require("from");
      var parent = parentNode.asString();
      if (!RELATION_PARENTS.contains(parent)) {
        throw parentNode.error("a relation hangs from one of " + RELATION_PARENTS + ", not '" + parent + "'");
      }
      if (CanonicalSchema.standardType(parent, name).isPresent()) {
        throw r.get("name").error("'" + name + "' is a standard field of " + parent + "; give the relation another name");
      }
      var key = canonicalName(r.require("key"));
      if (!fields.isEmpty() && !fields.containsValue(key)) {
        throw r.get("key").error("the key column '" + key + "' is not one of this object's columns " + fields.values());
      }
      relation = Optional.of(new CustomObjectMapping.Relation(name, parent, key));
    }
    return new CustomObjectMapping(crmObject, table, fields, relation, o.file() + ":" + o.line());
  }

  private static void putColumn(Map<String, String> fields, String crmField, String column, YamlNode at) {
    if (CanonicalSchema.SYSTEM_COLUMNS.contains(column) || column.equals("deleted_at")) {
      throw at.error("'" + column + "' is a reserved mirror column; name the column otherwise (" + crmField + ": other_name)");
    }
    if (fields.containsValue(column)) {
      throw at.error("two fields land in the column '" + column + "'");
    }
    if (fields.put(crmField, column) != null) {
      throw at.error("the CRM field " + crmField + " is listed twice");
    }
  }

  private static ObjectMapping object(YamlNode o) {
    o.allowOnly(Set.of("crm_object", "canonical", "fields", "constants"));
    var crmObject = crmName(o.require("crm_object"));
    var canonicalNode = o.require("canonical");
    var canonical = canonicalName(canonicalNode);
    if (!CanonicalSchema.isObject(canonical)) {
      throw canonicalNode.error("unknown canonical object '" + canonical + "'; known: " + CanonicalSchema.objects());
    }
    var fields = new ArrayList<FieldBinding>();
    for (var e : o.require("fields").entries().entrySet()) {
      var crmFieldNode = e.getValue();
      var crmField = e.getKey();
      if (!CRM_NAME.matcher(crmField).matches()) {
        throw crmFieldNode.error("'" + crmField + "' is not a valid CRM field name (letters, digits, '_' and '.')");
      }
      if (crmFieldNode.isSequence()) {
        for (var item : crmFieldNode.items()) {
          fields.add(binding(canonical, crmField, item));
        }
      } else {
        fields.add(binding(canonical, crmField, crmFieldNode));
      }
    }
    var constants = new LinkedHashMap<String, Object>();
    var constantTypes = new LinkedHashMap<String, FieldType>();
    for (var e : o.get("constants").entries().entrySet()) {
      var name = e.getKey();
      if (!SqlName.isValid(name)) {
        throw e.getValue().error("'" + name + "' is not a valid canonical field name");
      }
      var type = CanonicalSchema.standardType(canonical, name).orElseThrow(
          () -> e.getValue().error("a constant must set a standard field of " + canonical));
      try {
        constants.put(name, ValueCoercion.toCanonical(e.getValue().asString(), type));
      } catch (IllegalArgumentException ex) {
        throw e.getValue().error(ex.getMessage());
      }
      constantTypes.put(name, type);
    }
    if (canonical.equals(CanonicalSchema.DEAL)) {
      var mapped = new java.util.HashSet<String>();
      fields.forEach(f -> mapped.add(f.canonicalField()));
      if (mapped.contains("amount_original") && mapped.contains("amount")) {
        throw o.error(crmObject + " maps both amount and amount_original: with amount_original (the amount as the CRM"
            + " gives it) salesos fills amount itself, converted to the corporate currency; remove the amount line");
      }
      if (mapped.contains("currency") && !mapped.contains("amount_original")) {
        throw o.error(crmObject + " reads the deal currency but maps its amount to amount: map the CRM amount to"
            + " amount_original, so that deal.amount holds it converted to the corporate currency (euros are never"
            + " added to dollars)");
      }
    }
    return new ObjectMapping(crmObject, canonical, fields, constants, constantTypes);
  }

  private static FieldBinding binding(String canonicalObject, String crmField, YamlNode n) {
    if (n.isScalar()) {
      var canonical = canonicalName(n);
      var type = CanonicalSchema.standardType(canonicalObject, canonical).orElseThrow(() -> n.error(
          "'" + canonical + "' is not a standard field of " + canonicalObject + "; declare it as {canonical: "
              + canonical + ", type: string|decimal|...}"));
      return new FieldBinding(crmField, canonical, type, List.of(), Map.of(), Optional.empty(), false, Optional.empty());
    }
    n.allowOnly(Set.of("canonical", "type", "id_prefix", "values", "default", "read_only", "scale"));
    var canonical = canonicalName(n.require("canonical"));
    var standard = CanonicalSchema.standardType(canonicalObject, canonical);
    FieldType type;
    if (n.has("type")) {
      try {
        type = FieldType.parse(n.get("type").asString());
      } catch (IllegalArgumentException e) {
        throw n.get("type").error(e.getMessage());
      }
      if (standard.isPresent() && standard.get() != type) {
        throw n.get("type").error("'" + canonical + "' is a standard " + standard.get().name().toLowerCase()
            + " field of " + canonicalObject + "; remove the type or use another name");
      }
    } else {
      type = standard.orElseThrow(() -> n.error("'" + canonical + "' is not a standard field of " + canonicalObject + "; give its type"));
    }
    var values = new LinkedHashMap<String, String>();
    n.get("values").entries().forEach((k, v) -> values.put(k, v.asString()));
    var prefixes = n.get("id_prefix").isSequence() ? n.get("id_prefix").items().stream().map(YamlNode::asString).toList()
        : n.get("id_prefix").asOptionalString().stream().toList();
    return new FieldBinding(crmField, canonical, type, prefixes, values,
        n.get("default").asOptionalString(), n.get("read_only").asBoolean(false),
        n.get("scale").asOptionalString().map(java.math.BigDecimal::new));
  }

  private static String crmName(YamlNode n) {
    var s = n.asString();
    if (!CRM_NAME.matcher(s).matches()) {
      throw n.error("'" + s + "' is not a valid CRM object name (letters, digits, '_' and '.')");
    }
    return s;
  }

  private static String canonicalName(YamlNode n) {
    var s = n.asString();
    if (!SqlName.isValid(s)) {
      throw n.error("'" + s + "' is not a valid canonical name: lower-case letters, digits and '_', starting with a letter, at most 64");
    }
    return s;
  }
}
