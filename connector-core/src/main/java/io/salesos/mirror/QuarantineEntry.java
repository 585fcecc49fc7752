package io.salesos.mirror;

import java.util.Objects;
import java.util.Optional;

/** A CRM record the sync could not take in, kept with its raw payload and a readable reason. */
public record QuarantineEntry(Optional<String> recordId, String rawPayload, String reason) {
  public QuarantineEntry {
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(rawPayload, "rawPayload");
    Objects.requireNonNull(reason, "reason");
  }
}
