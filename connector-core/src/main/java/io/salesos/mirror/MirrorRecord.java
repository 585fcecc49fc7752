package io.salesos.mirror;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** One record in canonical form, as the mirror stores it: id, typed values, CRM modification stamp. */
public record MirrorRecord(String id, Map<String, Object> values, Instant modifiedAt) {
  public MirrorRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(modifiedAt, "modifiedAt");
    values = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(values, "values")));
  }
}
