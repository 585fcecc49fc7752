package io.salesos.outbox;

import java.util.Map;
import java.util.Set;

/**
 * The canonical objects and fields salesos may write at all, from the write policy. Checked when a
 * write is queued and again just before it is sent: nothing outside it is ever written.
 */
public record AllowList(Map<String, Set<String>> fieldsByObject, Set<String> deletableObjects) {

  public AllowList {
    fieldsByObject = Map.copyOf(fieldsByObject);
    deletableObjects = Set.copyOf(deletableObjects);
  }

  public boolean permits(String canonicalObject, String field) {
    return fieldsByObject.getOrDefault(canonicalObject, Set.of()).contains(field);
  }

  public boolean permitsDelete(String canonicalObject) {
    return deletableObjects.contains(canonicalObject);
  }

  /** The fields of {@code fields} that are not allowed on {@code canonicalObject}. */
  public Set<String> refused(String canonicalObject, Set<String> fields) {
    var out = new java.util.TreeSet<String>();
    for (var f : fields) {
      if (!permits(canonicalObject, f)) {
        out.add(f);
      }
    }
    return out;
  }

  /** The allow-list salesos's default write policy grants: its own fields and the records it creates. */
  public static AllowList defaults() {
    return new AllowList(Map.of(
        "deal", Set.of("salesos_flags", "salesos_forecast_category"),
        "activity", Set.of("kind", "subject", "body", "owner_id", "account_id", "deal_id", "contact_id", "start_at",
            "end_at", "due_date", "status", "priority", "salesos_key")),
        Set.of("activity"));
  }
}
