package io.salesos.rules;

/**
 * What becomes of an open task salesos created when its rule no longer concludes it and nobody
 * has touched it in the CRM ({@code withdraw:} in write-policy.yaml): closed as completed with a
 * line saying why, deleted, or kept as it is. Ordered from the least to the most a withdrawal writes.
 */
public enum TaskWithdrawal {
  KEEP,
  CLOSE,
  DELETE;

  /** The default: the task stays in the CRM, visibly closed, and a rollback reopens it. */
  public static final TaskWithdrawal DEFAULT = CLOSE;

  public String code() {
    return name().toLowerCase();
  }

  public static TaskWithdrawal parse(String s) {
    for (var w : values()) {
      if (w.code().equals(s.trim().toLowerCase())) {
        return w;
      }
    }
    throw new IllegalArgumentException("withdraw must be close, delete or keep, not '" + s + "'");
  }
}
