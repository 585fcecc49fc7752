package io.salesos.rules;

import java.util.Objects;

/**
 * A rule whose expression could not be evaluated on one record, with the first message: the record
 * got no verdict from that rule (no flag change, no forecast change, no task), so it is reported instead.
 */
public record RuleError(String ruleId, String subject, String recordId, String message) {

  public RuleError {
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(message, "message");
  }
}
