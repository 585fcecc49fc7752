package io.salesos.outbox;

/** Why a write exists: the write policy (auto, draft, off) is set per kind. */
public enum WriteKind {
  FLAG,
  FORECAST,
  TASK,
  VISIT_PLAN,
  ADMIN,
  LOCAL_EDIT,
  ROLLBACK;

  public String code() {
    return name().toLowerCase();
  }

  public static WriteKind parse(String s) {
    return valueOf(s.trim().toUpperCase());
  }
}
