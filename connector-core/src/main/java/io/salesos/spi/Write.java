package io.salesos.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One write to a CRM record, in CRM-native field names.
 *
 * <p>{@code key} is the deterministic idempotency key core derives from what the write is for;
 * for {@link Kind#UPSERT} it is also the value of the external id field ({@code
 * externalIdField}), so a retry can never create a second record. {@link Kind#UPDATE} and
 * {@link Kind#DELETE} address an existing record by {@code id}.
 */
public record Write(
    String key,
    Kind kind,
    Optional<String> id,
    Optional<String> externalIdField,
    Map<String, Object> fields) {

  /** The closed set of write kinds. */
  public enum Kind {
    UPSERT,
    UPDATE,
    DELETE
  }

  public Write {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(externalIdField, "externalIdField");
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(fields, "fields")));
    switch (kind) {
      case UPSERT -> {
        if (externalIdField.isEmpty()) {
          throw new IllegalArgumentException("an UPSERT needs an external id field: " + key);
        }
      }
      case UPDATE, DELETE -> {
        if (id.isEmpty()) {
          throw new IllegalArgumentException("an " + kind + " needs the CRM id: " + key);
        }
      }
    }
  }

  public static Write upsert(String key, String externalIdField, Map<String, Object> fields) {
    return new Write(key, Kind.UPSERT, Optional.empty(), Optional.of(externalIdField), fields);
  }

  public static Write update(String key, String id, Map<String, Object> fields) {
    return new Write(key, Kind.UPDATE, Optional.of(id), Optional.empty(), fields);
  }

  public static Write delete(String key, String id) {
    return new Write(key, Kind.DELETE, Optional.of(id), Optional.empty(), Map.of());
  }
}
