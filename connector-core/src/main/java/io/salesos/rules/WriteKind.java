package io.salesos.rules;

/** The kinds of write salesos makes into a CRM; the write policy decides each one's fate. */
public enum WriteKind {
  FLAG, FORECAST, TASK, VISIT_PLAN;

  String label() {
    return name().toLowerCase();
  }
}
