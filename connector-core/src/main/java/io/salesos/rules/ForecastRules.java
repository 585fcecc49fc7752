package io.salesos.rules;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * forecast.yaml compiled: which deals are governed, which roll up into this period's forecast,
 * and per forecast category the requirements a deal's evidence must meet to stand in it.
 */
record ForecastRules(
    Optional<CompiledExpr> appliesTo,
    Optional<CompiledExpr> inPeriod,
    Map<String, List<Requirement>> byCategory,
    String flagCode) {

  /** One thing that must be true for a category; {@code reason} says what is missing when it is not. */
  record Requirement(String id, String category, CompiledExpr require, Template reason) {}

  ForecastRules {
    byCategory = Map.copyOf(byCategory);
  }

  static ForecastRules none() {
    return new ForecastRules(Optional.empty(), Optional.empty(), Map.of(), "FORECAST_NOT_SUPPORTED");
  }
}
