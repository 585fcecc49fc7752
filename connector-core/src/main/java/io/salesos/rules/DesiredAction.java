package io.salesos.rules;

/** One conclusion of an evaluation: state that should hold in the CRM, not yet a write. */
public sealed interface DesiredAction permits DealFlags, AdjustedForecast, TaskToCreate, ForecastRollup {}
