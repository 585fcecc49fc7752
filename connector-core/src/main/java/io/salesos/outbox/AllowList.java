package io.salesos.outbox;

import io.salesos.rules.WritePolicy;
import io.salesos.spi.Write;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

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
    var out = new TreeSet<String>();
    for (var f : fields) {
      if (!permits(canonicalObject, f)) {
        out.add(f);
      }
    }
    return out;
  }

  /**
   * Why this list refuses {@code write}, checked on the fields as they will be sent (an upsert's
   * key included); empty when it permits it.
   */
  public Optional<String> refusal(OutboxEntry write) {
    if (write.op() == Write.Op.DELETE) {
      return permitsDelete(write.canonicalObject()) ? Optional.empty()
          : Optional.of("blocked: deleting " + write.canonicalObject() + " records is not on the write allow-list in force");
    }
    var refused = refused(write.canonicalObject(), write.sentFields().keySet());
    return refused.isEmpty() ? Optional.empty()
        : Optional.of("blocked: not on the write allow-list in force: " + write.canonicalObject() + "." + refused);
  }

  /** The allow-list a write policy grants ({@code write-policy.yaml}'s {@code allow}). */
  public static AllowList of(WritePolicy policy) {
    var allow = policy.allow();
    // salesos deletes only what it created: plan events a re-plan dropped, keyed by salesos_key
    var deletable = allow.getOrDefault("activity", Set.of()).contains("salesos_key") ? Set.of("activity") : Set.<String>of();
    return new AllowList(allow, deletable);
  }

  /** The allow-list salesos's default write policy grants: its own fields and the records it creates. */
  public static AllowList defaults() {
    return new AllowList(Map.of(
        "deal", Set.of("salesos_flags", "salesos_forecast_category"),
        "activity", Set.of("kind", "subject", "body", "owner_id", "account_id", "deal_id", "contact_id", "start_at",
            "end_at", "due_date", "due_at", "status", "priority", "salesos_key")),
        Set.of("activity"));
  }
}
