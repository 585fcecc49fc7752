package io.salesos.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * A record the connector could not read (unparsable payload, missing id): kept with its raw
 * payload and the reason so a person can see it in quarantine, while the sync goes on.
 */
public record MalformedRecord(Optional<String> id, String rawPayload, String reason) {
  public MalformedRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(rawPayload, "rawPayload");
    Objects.requireNonNull(reason, "reason");
  }
}
