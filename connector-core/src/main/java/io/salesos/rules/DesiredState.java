package io.salesos.rules;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything one evaluation concluded, in a deterministic order: flags per deal (deals without
 * flags are absent but listed in {@code evaluatedDealIds}, so reconcile can clear a fixed flag),
 * forecast adjustments, tasks that should exist, forecast rollups, and how often each rule fired.
 */
public record DesiredState(
    Instant now,
    String ruleSetVersion,
    Set<String> evaluatedDealIds,
    List<DealFlags> flags,
    List<AdjustedForecast> forecasts,
    List<TaskToCreate> tasks,
    List<ForecastRollup> rollups,
    Map<String, Long> ruleHits) {

  public DesiredState {
    evaluatedDealIds = Set.copyOf(evaluatedDealIds);
    flags = List.copyOf(flags);
    forecasts = List.copyOf(forecasts);
    tasks = List.copyOf(tasks);
    rollups = List.copyOf(rollups);
    ruleHits = Map.copyOf(ruleHits);
  }

  /** All conclusions as one list, flags first. */
  public List<DesiredAction> actions() {
    var out = new java.util.ArrayList<DesiredAction>(flags);
    out.addAll(forecasts);
    out.addAll(tasks);
    out.addAll(rollups);
    return out;
  }
}
