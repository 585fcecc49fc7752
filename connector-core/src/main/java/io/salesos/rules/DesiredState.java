package io.salesos.rules;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one evaluation concluded, in a deterministic order: flags per deal (deals without
 * flags are absent but listed in {@code evaluatedDealIds}, so reconcile can clear a fixed flag),
 * forecast adjustments, tasks that should exist, forecast rollups, how often each rule fired, and
 * the rules that could not be evaluated on a record. A deal in {@code flagsUndecided} (or
 * {@code forecastsUndecided}) keeps what it has: some rule about it errored, so no write may follow.
 */
public record DesiredState(
    Instant now,
    String ruleSetVersion,
    java.util.SortedSet<String> evaluatedDealIds,
    List<DealFlags> flags,
    List<AdjustedForecast> forecasts,
    List<TaskToCreate> tasks,
    List<ForecastRollup> rollups,
    Map<String, Long> ruleHits,
    java.util.SortedSet<String> flagsUndecided,
    java.util.SortedSet<String> forecastsUndecided,
    List<RuleError> ruleErrors) {

  public DesiredState {
    // sorted once here: reconcile walks it in order for every kind of deal write
    evaluatedDealIds = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(evaluatedDealIds));
    flags = List.copyOf(flags);
    forecasts = List.copyOf(forecasts);
    tasks = List.copyOf(tasks);
    rollups = List.copyOf(rollups);
    ruleHits = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(ruleHits));
    flagsUndecided = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(flagsUndecided));
    forecastsUndecided = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(forecastsUndecided));
    // sorted so the same inputs give the same result, whatever order the parallel evaluation finished in
    ruleErrors = ruleErrors.stream().sorted(java.util.Comparator.comparing(RuleError::ruleId)
        .thenComparing(RuleError::subject).thenComparing(RuleError::recordId)).toList();
  }

  /** How many records each rule could not be evaluated on, by rule id. */
  public java.util.SortedMap<String, Long> ruleErrorCounts() {
    var out = new java.util.TreeMap<String, Long>();
    ruleErrors.forEach(e -> out.merge(e.ruleId(), 1L, Long::sum));
    return out;
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
