package io.salesos.rules;

import java.util.Map;
import java.util.Set;

/**
 * What the mirror holds of salesos's own earlier writes: the salesos_flags text and the
 * salesos_forecast_category per deal (absent or empty when none), and the salesos_key of every
 * task salesos created (open or done: a done task must not come back).
 */
public record CurrentState(Map<String, String> flagsByDeal, Map<String, String> forecastCategoryByDeal, Set<String> taskKeys) {

  public CurrentState {
    flagsByDeal = Map.copyOf(flagsByDeal);
    forecastCategoryByDeal = Map.copyOf(forecastCategoryByDeal);
    taskKeys = Set.copyOf(taskKeys);
  }

  public static CurrentState empty() {
    return new CurrentState(Map.of(), Map.of(), Set.of());
  }
}
