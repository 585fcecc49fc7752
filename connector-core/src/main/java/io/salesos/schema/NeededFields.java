package io.salesos.schema;

import io.salesos.mapping.FieldBinding;
import io.salesos.mapping.Mapping;
import io.salesos.mapping.ObjectMapping;
import io.salesos.outbox.AllowList;
import io.salesos.rules.RuleVocabulary;
import io.salesos.spi.FieldSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The CRM fields one connection's writes need, derived from its mapping and the write policy's
 * allow-list: every allowed canonical field of every CRM object salesos writes, through the
 * mapping's writable binding, with the canonical type, the picklist values the writes use, and
 * the external-id flag for {@code salesos_key}.
 */
public final class NeededFields {

  static final String KEY = "salesos_key";

  private NeededFields() {}

  /** The needed fields in mapping order, one per (CRM object, CRM field). */
  public static List<FieldSpec> of(Mapping mapping, AllowList allow) {
    var out = new LinkedHashMap<String, FieldSpec>();
    for (var object : writtenObjects(mapping, allow)) {
      var allowed = allow.fieldsByObject().getOrDefault(object.canonicalObject(), java.util.Set.of());
      for (var b : object.fields()) {
        if (b.readOnly() || !allowed.contains(b.canonicalField()) || object.constants().containsKey(b.canonicalField())) {
          continue;
        }
        var spec = spec(object, b);
        out.merge(spec.qualifiedName().toLowerCase(java.util.Locale.ROOT), spec, NeededFields::merge);
      }
    }
    return List.copyOf(out.values());
  }

  /**
   * The CRM objects salesos writes: for a canonical object whose records salesos creates (its
   * mappings bind {@code salesos_key}), the mappings that do (Salesforce Task and Event, not the
   * calls and notes it only reads); for the others (deals, where it updates its own fields) every
   * mapping of it.
   */
  static List<ObjectMapping> writtenObjects(Mapping mapping, AllowList allow) {
    var out = new ArrayList<ObjectMapping>();
    for (var canonical : allow.fieldsByObject().keySet().stream().sorted().toList()) {
      var all = mapping.forCanonical(canonical);
      var keyed = all.stream().filter(m -> m.bindingFor(KEY).isPresent()).toList();
      out.addAll(keyed.isEmpty() ? all : keyed);
    }
    out.sort(java.util.Comparator.comparingInt(mapping.objects()::indexOf));
    return out;
  }

  private static FieldSpec spec(ObjectMapping object, FieldBinding b) {
    var canonical = b.canonicalField();
    return new FieldSpec(object.crmObject(), b.crmField(), label(canonical), b.type(), values(b),
        canonical.equals(KEY), "Written by salesos: " + object.canonicalObject() + "." + canonical
            + (canonical.equals(KEY) ? " (the idempotency key salesos upserts by; unique external id)" : ""));
  }

  /**
   * The CRM values a write of this field can send: the evidence-adjusted forecast category takes
   * every canonical category through the mapping's translation; other translated fields, the
   * mapping's CRM values. Empty for free text, numbers and dates.
   */
  private static List<String> values(FieldBinding b) {
    var out = new LinkedHashSet<String>();
    if (b.canonicalField().equals("salesos_forecast_category")) {
      RuleVocabulary.standard().forecastCategories().forEach(c -> out.add(b.write(c)));
    }
    out.addAll(b.values().keySet());
    return List.copyOf(out);
  }

  /** One CRM field bound to several canonical fields (a polymorphic WhatId) is needed once. */
  private static FieldSpec merge(FieldSpec a, FieldSpec b) {
    var values = new LinkedHashSet<>(a.values());
    values.addAll(b.values());
    return new FieldSpec(a.crmObject(), a.name(), a.label(), a.type(), List.copyOf(values),
        a.externalKey() || b.externalKey(), a.description());
  }

  private static String label(String canonical) {
    return canonical.replace('_', ' ');
  }
}
