package io.salesos.rules;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A next-step task that should exist for an owner. {@code key} is deterministic (rule, subject and
 * the rule's key value), is written to the task's salesos_key, and is how reconcile knows the task
 * already exists. {@code dueAt} is the instant the rule gave; {@code dueDate} is that instant's date in
 * the owner's zone (what a date-only due field such as Salesforce's Task.ActivityDate holds).
 */
public record TaskToCreate(
    String key,
    String ruleId,
    String ownerId,
    String subject,
    String body,
    LocalDate dueDate,
    Instant dueAt,
    String priority,
    Optional<String> dealId,
    Optional<String> accountId,
    Optional<String> contactId,
    Map<String, String> extraFields) implements DesiredAction {

  public TaskToCreate {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(dueDate, "dueDate");
    Objects.requireNonNull(dueAt, "dueAt");
    extraFields = Map.copyOf(extraFields);
  }
}
