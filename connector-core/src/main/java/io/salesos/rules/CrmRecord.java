package io.salesos.rules;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One canonical record (a deal, an account, an activity...) as rules see it: its CRM id and its
 * canonical fields as typed Java values (String, BigDecimal, Long, Double, Boolean, LocalDate,
 * Instant). An absent field is simply not in {@code values}; rules test it with {@code has()}.
 */
public record CrmRecord(String id, Map<String, Object> values) {

  private static final CrmRecord EMPTY = new CrmRecord("", Map.of());

  public CrmRecord {
    Objects.requireNonNull(id, "id");
    // nulls are dropped here so that "absent" has one representation the whole way through
    var copy = new LinkedHashMap<String, Object>();
    values.forEach((k, v) -> {
      if (v != null) {
        copy.put(k, v instanceof Optional<?> o ? o.orElse(null) : v);
      }
    });
    copy.values().removeIf(Objects::isNull);
    values = Collections.unmodifiableMap(copy);
  }

  /** A record with nothing in it: the account of a lead without one, the deal of a loose meeting. */
  public static CrmRecord empty() {
    return EMPTY;
  }

  /** Builds a record from alternating field names and values; null values mean "absent". */
  public static CrmRecord of(String id, Object... pairs) {
    if (pairs.length % 2 != 0) {
      throw new IllegalArgumentException("CrmRecord.of needs name/value pairs, got " + pairs.length + " items");
    }
    var m = new LinkedHashMap<String, Object>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], pairs[i + 1]);
    }
    return new CrmRecord(id, m);
  }

  public boolean isEmpty() {
    return id.isEmpty() && values.isEmpty();
  }

  public Optional<Object> get(String field) {
    return Optional.ofNullable(values.get(field));
  }

  public Optional<String> string(String field) {
    return get(field).map(Object::toString);
  }

  public Optional<BigDecimal> decimal(String field) {
    return get(field).map(v -> v instanceof BigDecimal b ? b : new BigDecimal(v.toString()));
  }

  public Optional<Instant> instant(String field) {
    return get(field).map(v -> v instanceof LocalDate d ? d.atStartOfDay(java.time.ZoneOffset.UTC).toInstant() : (Instant) v);
  }

  public boolean flag(String field) {
    return get(field).map(v -> (Boolean) v).orElse(false);
  }

  /** This record with one more (or one replaced) field. */
  public CrmRecord with(String field, Object value) {
    var m = new LinkedHashMap<>(values);
    m.put(field, value);
    return new CrmRecord(id, m);
  }
}
