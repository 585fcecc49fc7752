package io.salesos.mapping;

import io.salesos.model.FieldType;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One CRM field bound to one canonical field, with its type, the id prefixes it keeps for
 * polymorphic references (empty: any value), an optional translation of values (CRM value to canonical value), and
 * whether salesos may write it (a derived field such as Salesforce's Task.AccountId is read only).
 */
public record FieldBinding(
    String crmField,
    String canonicalField,
    FieldType type,
    java.util.List<String> idPrefixes,
    Map<String, String> values,
    Optional<String> defaultValue,
    boolean readOnly,
    Optional<java.math.BigDecimal> scale) {

  public FieldBinding {
    Objects.requireNonNull(crmField, "crmField");
    Objects.requireNonNull(canonicalField, "canonicalField");
    Objects.requireNonNull(type, "type");
    idPrefixes = java.util.List.copyOf(idPrefixes);
    // file order kept: a write back picks the first CRM value listed for a canonical value
    values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    Objects.requireNonNull(defaultValue, "defaultValue");
    Objects.requireNonNull(scale, "scale");
  }

  /** Reads the CRM value into the canonical value (translation, prefix filter, type). */
  public Object read(Object raw) {
    Object v = raw;
    if (!accepts(v)) {
      v = null;
    }
    if (!values.isEmpty() || defaultValue.isPresent()) {
      var key = v == null ? null : v.toString();
      v = key != null && values.containsKey(key) ? values.get(key) : defaultValue.orElse(key);
    }
    var out = ValueCoercion.toCanonical(v, type);
    // a CRM that keeps a percent as 0..1 (HubSpot) is scaled to salesos's 0..100
    if (out instanceof java.math.BigDecimal d && scale.isPresent()) {
      return d.multiply(scale.get()).setScale(d.scale(), java.math.RoundingMode.HALF_EVEN);
    }
    return out;
  }

  /** Whether an id belongs to this binding: no prefixes listed, or it starts with one of them. */
  public boolean accepts(Object value) {
    return value == null || idPrefixes.isEmpty() || idPrefixes.stream().anyMatch(p -> value.toString().startsWith(p));
  }

  /** Writes a canonical value back as the CRM value (reverse translation), as a string. */
  public String write(Object canonical) {
    if (canonical == null) {
      return null;
    }
    var value = canonical;
    if (scale.isPresent() && canonical != null) {
      value = new java.math.BigDecimal(canonical.toString()).divide(scale.get(), 6, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros();
    }
    var s = ValueCoercion.toCrm(value);
    for (var e : values.entrySet()) {
      if (e.getValue().equals(s)) {
        return e.getKey();
      }
    }
    return s;
  }
}
