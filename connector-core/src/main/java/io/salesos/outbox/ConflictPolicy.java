package io.salesos.outbox;

import java.util.Map;

/**
 * What to do when a field changed in the CRM after salesos read it and before its write: by
 * default the CRM wins, except on fields salesos owns (named {@code salesos_*}), where salesos
 * wins; a field may be set to hold the write for a person instead.
 */
public record ConflictPolicy(Map<String, Resolution> byField) {

  /** The three policies. */
  public enum Resolution {
    CRM_WINS,
    SALESOS_WINS,
    HOLD;

    public String code() {
      return name().toLowerCase();
    }
  }

  public ConflictPolicy {
    byField = Map.copyOf(byField);
  }

  public static ConflictPolicy defaults() {
    return new ConflictPolicy(Map.of());
  }

  /** The policy of {@code object.field}. */
  public Resolution of(String canonicalObject, String field) {
    var explicit = byField.get(canonicalObject + "." + field);
    if (explicit != null) {
      return explicit;
    }
    return field.startsWith("salesos_") ? Resolution.SALESOS_WINS : Resolution.CRM_WINS;
  }
}
