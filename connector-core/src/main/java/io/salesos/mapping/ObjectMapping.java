package io.salesos.mapping;

import io.salesos.model.FieldType;
import io.salesos.spi.RawRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How one CRM object lands in one canonical mirror table: its field bindings and the constant
 * values every record of it carries (Salesforce Events are all of kind "meeting", say).
 */
public record ObjectMapping(
    String crmObject, String canonicalObject, List<FieldBinding> fields, Map<String, Object> constants,
    Map<String, FieldType> constantTypes) {

  public ObjectMapping {
    Objects.requireNonNull(crmObject, "crmObject");
    Objects.requireNonNull(canonicalObject, "canonicalObject");
    fields = List.copyOf(fields);
    constants = Map.copyOf(constants);
    constantTypes = Map.copyOf(constantTypes);
  }

  /** The CRM fields a pull must ask for. */
  public List<String> crmFields() {
    return fields.stream().map(FieldBinding::crmField).distinct().toList();
  }

  /** Canonical field name to type, for every column this mapping fills. */
  public Map<String, FieldType> canonicalTypes() {
    var m = new LinkedHashMap<String, FieldType>();
    fields.forEach(f -> m.put(f.canonicalField(), f.type()));
    m.putAll(constantTypes);
    return m;
  }

  /** The first binding of a canonical field (for reads and for naming the CRM field). */
  public Optional<FieldBinding> bindingFor(String canonicalField) {
    return fields.stream().filter(f -> f.canonicalField().equals(canonicalField)).findFirst();
  }

  /** The bindings a write of this canonical field may use, in mapping order. */
  List<FieldBinding> writableBindings(String canonicalField) {
    return fields.stream().filter(f -> f.canonicalField().equals(canonicalField) && !f.readOnly()).toList();
  }

  /**
   * The canonical values of one CRM record. Throws {@link IllegalArgumentException} naming the
   * field and value when a value cannot be read, so the caller can quarantine the record.
   */
  public Map<String, Object> toCanonical(RawRecord record) {
    var out = new LinkedHashMap<String, Object>();
    var raw = record.fields();
    for (var f : fields) {
      // one lookup for a value; the second only tells a null value from a field the record lacks
      var value = raw.get(f.crmField());
      if (value == null && !raw.containsKey(f.crmField())) {
        continue;
      }
      try {
        var v = f.read(value);
        if (v != null || !out.containsKey(f.canonicalField())) {
          out.put(f.canonicalField(), v);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(crmObject + "." + f.crmField() + " (" + f.canonicalField() + "): " + e.getMessage(), e);
      }
    }
    constants.forEach(out::putIfAbsent);
    return out;
  }

  /**
   * The CRM field values of canonical values, for a write. A polymorphic CRM field bound to
   * several canonical fields (Salesforce WhatId: deal or account) takes the first one, in mapping
   * order, that has a value and fits its id prefix. A canonical field with no writable CRM field is
   * refused, naming it.
   */
  public Map<String, Object> toCrm(Map<String, Object> canonical) {
    for (var name : canonical.keySet()) {
      if (!constants.containsKey(name) && writableBindings(name).isEmpty()) {
        throw new IllegalArgumentException("the mapping of " + crmObject + " has no writable CRM field for canonical field '"
            + name + "'");
      }
    }
    var out = new LinkedHashMap<String, Object>();
    for (var b : fields) {
      if (b.readOnly() || !canonical.containsKey(b.canonicalField()) || constants.containsKey(b.canonicalField())) {
        continue;
      }
      var value = canonical.get(b.canonicalField());
      if (out.get(b.crmField()) != null) {
        continue;
      }
      if (!b.accepts(value)) {
        continue;
      }
      out.put(b.crmField(), b.write(value));
    }
    return out;
  }
}
