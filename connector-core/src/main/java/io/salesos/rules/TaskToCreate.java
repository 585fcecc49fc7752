package io.salesos.rules;

import java.time.LocalDate;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A next-step task that should exist for an owner. {@code key} is deterministic (rule, subject and
 * the rule's key value), is written to the task's salesos_key, and is how reconcile knows the task
 * already exists.
 */
public record TaskToCreate(
    String key,
    String ruleId,
    String ownerId,
    String subject,
    String body,
    LocalDate dueDate,
    String priority,
    Optional<String> dealId,
    Optional<String> accountId,
    Optional<String> contactId,
    Map<String, String> extraFields) implements DesiredAction {

  public TaskToCreate {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(dueDate, "dueDate");
    extraFields = Map.copyOf(extraFields);
  }
}
