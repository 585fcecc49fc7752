package io.salesos.rules;

import java.util.List;

/**
 * Why a write to a CRM exists. The rules make the first four, and the write policy decides each
 * one's fate (auto, draft, off); the others are made by a person (an admin's write, an edit in a
 * read-write mirror table, a rollback) and are held only to the allow-list.
 */
public enum WriteKind {
  FLAG,
  FORECAST,
  TASK,
  VISIT_PLAN,
  ADMIN,
  LOCAL_EDIT,
  ROLLBACK,
  /** A task salesos created closed or deleted because its rule no longer concludes it; the task policy decides it. */
  WITHDRAW;

  private static final List<WriteKind> RULED = List.of(FLAG, FORECAST, TASK, VISIT_PLAN);

  /** The kinds the rules make, which {@code write-policy.yaml} names. */
  public static List<WriteKind> ruled() {
    return RULED;
  }

  /** As stored in the outbox and named in {@code write-policy.yaml}: {@code flag}, {@code visit_plan}. */
  public String code() {
    return name().toLowerCase();
  }

  public static WriteKind parse(String s) {
    return valueOf(s.trim().toUpperCase());
  }
}
