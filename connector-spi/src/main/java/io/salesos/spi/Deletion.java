package io.salesos.spi;

import java.time.Instant;
import java.util.Objects;

/** A record deleted (Salesforce) or archived (HubSpot) in the CRM. */
public record Deletion(String id, Instant deletedAt) {
  public Deletion {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(deletedAt, "deletedAt");
  }
}
