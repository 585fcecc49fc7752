package io.salesos.spi;

import java.util.List;
import java.util.Objects;

/**
 * Ask for the next changes of one CRM object: the fields to read, where the last pull stopped,
 * and how many records the caller wants at most (a hint; a connector may return fewer).
 */
public record PullRequest(String crmObject, List<String> fields, Checkpoint checkpoint, int maxRecords) {

  public PullRequest {
    Objects.requireNonNull(crmObject, "crmObject");
    fields = List.copyOf(Objects.requireNonNull(fields, "fields"));
    Objects.requireNonNull(checkpoint, "checkpoint");
    if (maxRecords <= 0) {
      throw new IllegalArgumentException("maxRecords must be positive, was " + maxRecords);
    }
  }
}
