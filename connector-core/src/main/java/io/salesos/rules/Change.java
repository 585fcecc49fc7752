package io.salesos.rules;

import io.salesos.model.CanonicalSchema;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One write reconcile asks for: its deterministic key (the same change always has the same key,
 * so the outbox can drop a repeat), the write kind and policy decision, and the canonical object,
 * record and fields to write (already filtered by the allow-list).
 */
public sealed interface Change permits Change.FlagsChanged, Change.ForecastCategoryChanged, Change.CreateTask,
    Change.WithdrawTask {

  String key();

  WriteKind kind();

  WriteDecision decision();

  /** The canonical object written: deal or activity. */
  String object();

  /** The record updated; empty for a create. */
  Optional<String> recordId();

  /** Canonical field name to value (String, LocalDate...), in a stable order. */
  Map<String, Object> fields();

  /** A deal's salesos_flags text changes; {@code after} empty means every flag was cleared. */
  record FlagsChanged(String dealId, String before, String after, WriteDecision decision) implements Change {
    @Override
    public String key() {
      return Hashing.key("flags", dealId, after);
    }

    @Override
    public WriteKind kind() {
      return WriteKind.FLAG;
    }

    @Override
    public String object() {
      return CanonicalSchema.DEAL;
    }

    @Override
    public Optional<String> recordId() {
      return Optional.of(dealId);
    }

    @Override
    public Map<String, Object> fields() {
      return Map.of("salesos_flags", after);
    }
  }

  /** A deal's evidence-adjusted category changes; empty {@code after} means the called one stands. */
  record ForecastCategoryChanged(String dealId, String before, String after, WriteDecision decision) implements Change {
    @Override
    public String key() {
      return Hashing.key("forecast", dealId, after);
    }

    @Override
    public WriteKind kind() {
      return WriteKind.FORECAST;
    }

    @Override
    public String object() {
      return CanonicalSchema.DEAL;
    }

    @Override
    public Optional<String> recordId() {
      return Optional.of(dealId);
    }

    @Override
    public Map<String, Object> fields() {
      return Map.of("salesos_forecast_category", after);
    }
  }

  /**
   * A task salesos created, still open and untouched, whose rule no longer concludes it: closed
   * ({@code fields} set status and body) or deleted ({@code fields} empty), decided on the values
   * salesos wrote ({@code expected}). {@code held} says why it may not be sent (the allow-list).
   */
  record WithdrawTask(String taskKey, String crmObject, String taskId, String ruleId, TaskWithdrawal mode,
      WriteDecision decision, Map<String, Object> fields, Map<String, Object> expected, Optional<String> held)
      implements Change {
    public WithdrawTask {
      fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
      expected = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(expected));
    }

    @Override
    public String key() {
      return Hashing.key("withdraw", taskKey);
    }

    @Override
    public WriteKind kind() {
      return WriteKind.WITHDRAW;
    }

    @Override
    public String object() {
      return CanonicalSchema.ACTIVITY;
    }

    @Override
    public Optional<String> recordId() {
      return Optional.of(taskId);
    }
  }

  /** A task to create, carrying only the fields the allow-list permits. */
  record CreateTask(TaskToCreate task, WriteDecision decision, Map<String, Object> fields) implements Change {
    public CreateTask {
      fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    @Override
    public String key() {
      return task.key();
    }

    @Override
    public WriteKind kind() {
      return WriteKind.TASK;
    }

    @Override
    public String object() {
      return CanonicalSchema.ACTIVITY;
    }

    @Override
    public Optional<String> recordId() {
      return Optional.empty();
    }
  }
}
