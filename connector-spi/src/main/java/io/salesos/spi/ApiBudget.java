package io.salesos.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The CRM's API budget as last reported: requests used and allowed in the long window (per day),
 * and in the short window where the CRM has one (HubSpot's 10-second burst), so the scheduler can
 * slow down before the CRM says no.
 */
public record ApiBudget(
    OptionalLong dailyUsed,
    OptionalLong dailyLimit,
    OptionalLong windowRemaining,
    OptionalLong windowLimit,
    Duration window,
    Instant observedAt) {

  public static final ApiBudget UNKNOWN =
      new ApiBudget(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
          OptionalLong.empty(), Duration.ZERO, Instant.EPOCH);

  public ApiBudget {
    Objects.requireNonNull(dailyUsed, "dailyUsed");
    Objects.requireNonNull(dailyLimit, "dailyLimit");
    Objects.requireNonNull(windowRemaining, "windowRemaining");
    Objects.requireNonNull(windowLimit, "windowLimit");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(observedAt, "observedAt");
  }

  /** Share of the daily budget used, 0..1, or 0 when unknown. */
  public double dailyShareUsed() {
    if (dailyUsed.isEmpty() || dailyLimit.isEmpty() || dailyLimit.getAsLong() <= 0) {
      return 0.0;
    }
    return Math.min(1.0, (double) dailyUsed.getAsLong() / dailyLimit.getAsLong());
  }
}
