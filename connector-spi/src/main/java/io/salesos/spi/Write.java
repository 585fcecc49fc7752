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
 * for {@link Op#UPSERT} it is also the value of the external id field ({@code
 * externalIdField}), so a retry can never create a second record. {@link Op#UPDATE} and
 * {@link Op#DELETE} address an existing record by {@code id}.
 */
public record Write(
    String key,
    Op op,
    Optional<String> id,
    Optional<String> externalIdField,
    Map<String, Object> fields) {

  /** What the write does to the record: the closed set of operations. */
  public enum Op {
    UPSERT,
    UPDATE,
    DELETE
  }

  public Write {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(externalIdField, "externalIdField");
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(fields, "fields")));
    switch (op) {
      case UPSERT -> {
        if (externalIdField.isEmpty()) {
          throw new IllegalArgumentException("an UPSERT needs an external id field: " + key);
        }
      }
      case UPDATE, DELETE -> {
        if (id.isEmpty()) {
          throw new IllegalArgumentException("an " + op + " needs the CRM id: " + key);
        }
      }
    }
  }

  public static Write upsert(String key, String externalIdField, Map<String, Object> fields) {
    return new Write(key, Op.UPSERT, Optional.empty(), Optional.of(externalIdField), fields);
  }

  public static Write update(String key, String id, Map<String, Object> fields) {
    return new Write(key, Op.UPDATE, Optional.of(id), Optional.empty(), fields);
  }

  public static Write delete(String key, String id) {
    return new Write(key, Op.DELETE, Optional.of(id), Optional.empty(), Map.of());
  }
}
