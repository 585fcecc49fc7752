package io.salesos.outbox;

import java.util.Map;
import java.util.Optional;

/**
 * How many new writes of one kind one run may queue before all of its writes are held for review
 * ({@code sync.hold_writes_over}, {@code sync.hold_percent_over}). A first run on an org with years
 * of history, or a rule edit that fires on every deal, would otherwise send thousands of CRM
 * writes (each a notification on a rep's phone) before anyone looked.
 */
public record RunLimits(int writesOver, int percentOver) {

  /** No limit: every run's writes go out as queued. */
  public static final RunLimits NONE = new RunLimits(Integer.MAX_VALUE, Integer.MAX_VALUE);

  /** The percent limit counts from this many writes up, so a small org is not held for a handful. */
  static final int PERCENT_FLOOR = 50;

  public RunLimits {
    if (writesOver <= 0 || percentOver <= 0) {
      throw new IllegalArgumentException("run limits are positive: " + writesOver + ", " + percentOver);
    }
  }

  /**
   * Why a run that queued {@code newWrites} (by write kind) over {@code evaluated} deals is held,
   * or empty when it is within the limits.
   */
  public Optional<String> exceeded(Map<String, Long> newWrites, int evaluated) {
    for (var e : new java.util.TreeMap<>(newWrites).entrySet()) {
      long n = e.getValue();
      if (n > writesOver) {
        return Optional.of(n + " new " + e.getKey() + " writes, over sync.hold_writes_over (" + writesOver + ")");
      }
      if (percentOver != Integer.MAX_VALUE && evaluated > 0 && n >= PERCENT_FLOOR && n * 100L > (long) percentOver * evaluated) {
        return Optional.of(n + " new " + e.getKey() + " writes for " + evaluated + " deals, over sync.hold_percent_over ("
            + percentOver + "%)");
      }
    }
    return Optional.empty();
  }
}
