package io.salesos.hubspot.sandbox;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One CRM record as the sandbox holds it: HubSpot's numeric id, string property values, the
 * server stamps, and the value history of the properties HubSpot is asked about most (stage,
 * amount, close date, forecast category), newest first as the API returns it.
 */
public record StoredObject(
    long id,
    Map<String, String> properties,
    Instant createdAt,
    Instant updatedAt,
    boolean archived,
    Optional<Instant> archivedAt,
    Map<String, List<HistoryEntry>> history) {

  public StoredObject {
    Objects.requireNonNull(properties, "properties");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(archivedAt, "archivedAt");
    Objects.requireNonNull(history, "history");
  }

  public String idString() {
    return Long.toString(id);
  }

  public Optional<String> property(String name) {
    return Optional.ofNullable(properties.get(name)).filter(v -> !v.isEmpty());
  }

  /** One past value of a property: what it was set to, when, and by what kind of source. */
  public record HistoryEntry(String value, Instant timestamp, String sourceType) {}
}
