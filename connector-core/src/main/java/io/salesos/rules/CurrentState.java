package io.salesos.rules;

import java.util.Map;
import java.util.Set;

/**
 * What the mirror holds of salesos's own earlier writes: the salesos_flags text and the
 * salesos_forecast_category per deal (absent or empty when none), the salesos_key of every task
 * salesos created (open or done: a done task must not come back), and the tasks it created that
 * are still open, each with whether it is as salesos wrote it.
 */
public record CurrentState(Map<String, String> flagsByDeal, Map<String, String> forecastCategoryByDeal, Set<String> taskKeys,
    java.util.List<OpenTask> openTasks) {

  /**
   * An open task salesos created: its key, CRM record, the rule that concluded it (from the
   * journal), whether every field salesos wrote still holds the written value ({@code untouched}),
   * those written values (the withdrawal is decided on them), and its description now.
   */
  public record OpenTask(String key, String crmObject, String recordId, java.util.Optional<String> ruleId, boolean untouched,
      Map<String, Object> asWritten, String body) {

    public OpenTask {
      asWritten = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(asWritten));
      body = body == null ? "" : body;
    }
  }

  public CurrentState(Map<String, String> flagsByDeal, Map<String, String> forecastCategoryByDeal, Set<String> taskKeys) {
    this(flagsByDeal, forecastCategoryByDeal, taskKeys, java.util.List.of());
  }

  public CurrentState {
    flagsByDeal = Map.copyOf(flagsByDeal);
    forecastCategoryByDeal = Map.copyOf(forecastCategoryByDeal);
    taskKeys = Set.copyOf(taskKeys);
    openTasks = java.util.List.copyOf(openTasks);
  }

  public static CurrentState empty() {
    return new CurrentState(Map.of(), Map.of(), Set.of());
  }
}
