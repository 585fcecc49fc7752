package io.salesos.connection;

import io.salesos.spi.RateBudget;
import java.time.Duration;
import java.util.Objects;

/**
 * How hard salesos may press one CRM: a request rate (sized to the CRM's published limits), retry
 * count and backoff, circuit-breaker thresholds and the most calls in flight at once.
 */
public record ResilienceSettings(
    int requestsPerWindow,
    Duration window,
    int maxAttempts,
    Duration baseBackoff,
    Duration maxBackoff,
    int failureRateThreshold,
    int minimumCalls,
    Duration openStateWait,
    int maxConcurrentCalls,
    double slowDownAtShareUsed) {

  public ResilienceSettings {
    if (requestsPerWindow <= 0 || maxAttempts <= 0 || maxConcurrentCalls <= 0) {
      throw new IllegalArgumentException("resilience limits must be positive");
    }
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(baseBackoff, "baseBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(openStateWait, "openStateWait");
  }

  /** Stays 10% under the CRM's published rate. */
  public static ResilienceSettings under(RateBudget budget) {
    return new ResilienceSettings(Math.max(1, budget.requests() * 9 / 10), budget.window(), 6,
        Duration.ofMillis(500), Duration.ofSeconds(30), 50, 10, Duration.ofSeconds(30), 4, 0.9);
  }

  /** Settings for tests: fast backoff, a breaker that opens after a few failures. */
  public static ResilienceSettings fast() {
    return new ResilienceSettings(10_000, Duration.ofSeconds(1), 6, Duration.ofMillis(20), Duration.ofMillis(500),
        50, 4, Duration.ofMillis(500), 4, 0.9);
  }

  public ResilienceSettings withMaxAttempts(int attempts) {
    return new ResilienceSettings(requestsPerWindow, window, attempts, baseBackoff, maxBackoff, failureRateThreshold,
        minimumCalls, openStateWait, maxConcurrentCalls, slowDownAtShareUsed);
  }
}
