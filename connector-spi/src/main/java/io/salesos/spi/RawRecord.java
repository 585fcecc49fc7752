package io.salesos.spi;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One record as the CRM returned it: its id, its CRM-native fields (values as the CRM sent them,
 * usually strings; a missing value is absent or null), and its modification stamp.
 */
public record RawRecord(String id, Map<String, Object> fields, Instant modifiedAt) {

  public RawRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(modifiedAt, "modifiedAt");
    // null values are meaningful (a field cleared in the CRM), so no Map.copyOf here
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(fields, "fields")));
  }
}
