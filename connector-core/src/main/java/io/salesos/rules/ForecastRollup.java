package io.salesos.rules;

import java.math.BigDecimal;
import java.util.Map;

/**
 * The forecast of one rep, one manager's team or the whole team: amount per category as the reps
 * called it and as the evidence supports it (scale 2), with the number of deals in the period and
 * of those the evidence puts lower than called. Stored as the run's snapshot.
 */
public record ForecastRollup(
    Level level, String id, String name, Map<String, BigDecimal> called, Map<String, BigDecimal> adjusted, int deals,
    int downgraded)
    implements DesiredAction {

  /** Who a rollup is for. */
  public enum Level { REP, MANAGER, TEAM }

  public ForecastRollup {
    called = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(called));
    adjusted = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(adjusted));
  }

  public BigDecimal called(String category) {
    return called.getOrDefault(category, BigDecimal.ZERO.setScale(2));
  }

  public BigDecimal adjusted(String category) {
    return adjusted.getOrDefault(category, BigDecimal.ZERO.setScale(2));
  }
}
