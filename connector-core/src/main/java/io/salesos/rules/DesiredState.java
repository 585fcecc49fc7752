package io.salesos.rules;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one evaluation concluded, in a deterministic order: flags per deal (deals without
 * flags are absent but listed in {@code evaluatedDealIds}, so reconcile can clear a fixed flag),
 * forecast adjustments, tasks that should exist, forecast rollups, how often each rule fired, and
 * the rules that could not be evaluated on a record. A deal in {@code flagCodesKept} keeps the
 * flag lines it has of those codes (their criteria errored on it), the others follow their
 * verdicts; a deal in {@code forecastsUndecided} keeps its forecast category.
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
    Map<String, java.util.SortedSet<String>> flagCodesKept,
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
    var kept = new java.util.TreeMap<String, java.util.SortedSet<String>>();
    flagCodesKept.forEach((deal, codes) -> kept.put(deal, java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(codes))));
    flagCodesKept = java.util.Collections.unmodifiableSortedMap(kept);
    forecastsUndecided = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(forecastsUndecided));
    // sorted so the same inputs give the same result, whatever order the parallel evaluation finished in
    ruleErrors = ruleErrors.stream().sorted(java.util.Comparator.comparing(RuleError::ruleId)
        .thenComparing(RuleError::subject).thenComparing(RuleError::recordId)).toList();
  }

  /** The deals some of whose flags are kept as they are (a criterion errored on them). */
  public java.util.SortedSet<String> flagsUndecided() {
    return java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(flagCodesKept.keySet()));
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
