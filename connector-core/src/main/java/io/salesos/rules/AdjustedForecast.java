package io.salesos.rules;

import java.util.List;

/** A deal whose evidence supports a lower forecast category than the one its rep called, and why. */
public record AdjustedForecast(String dealId, String calledCategory, String supportedCategory, List<String> reasons)
    implements DesiredAction {

  public AdjustedForecast {
    reasons = List.copyOf(reasons);
  }
}
