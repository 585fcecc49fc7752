package io.salesos.spi;

import java.time.Duration;
import java.util.Objects;

/** The request rate a CRM publishes for one connection: so many requests per window. */
public record RateBudget(int requests, Duration window) {
  public RateBudget {
    if (requests <= 0) {
      throw new IllegalArgumentException("requests must be positive");
    }
    Objects.requireNonNull(window, "window");
  }
}
