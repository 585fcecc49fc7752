package io.salesos.hubspot.sandbox;

/**
 * The request limits the sandbox enforces, as HubSpot publishes them per tier: a burst per rolling
 * interval (10 s), a daily total, and the search API's own per-second limit.
 */
public record RateLimits(int burst, long intervalMillis, long daily, int searchPerSecond) {

  public RateLimits {
    if (burst < 1 || intervalMillis < 1 || daily < 1 || searchPerSecond < 1) {
      throw new IllegalArgumentException("rate limits must be positive: " + burst + "/" + intervalMillis
          + "ms, daily " + daily + ", search " + searchPerSecond + "/s");
    }
  }

  /**
   * HubSpot's published limits for a tier (free, starter, professional, enterprise): the server's
   * own table, kept apart from the connector's so a client that assumes the wrong limits is caught.
   */
  public static RateLimits forTier(String tier) {
    return switch (tier.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "free", "starter" -> new RateLimits(100, 10_000, 250_000, 5);
      case "professional" -> new RateLimits(190, 10_000, 625_000, 5);
      case "enterprise" -> new RateLimits(190, 10_000, 1_000_000, 5);
      default -> throw new IllegalArgumentException("unknown HubSpot tier '" + tier
          + "'; use free, starter, professional or enterprise");
    };
  }

  /** Limits high enough that only injected faults slow a test down. */
  public static RateLimits unlimited() {
    return new RateLimits(1_000_000, 10_000, 100_000_000, 1_000_000);
  }

  public RateLimits withBurst(int newBurst, long newIntervalMillis) {
    return new RateLimits(newBurst, newIntervalMillis, daily, searchPerSecond);
  }

  public RateLimits withDaily(long newDaily) {
    return new RateLimits(burst, intervalMillis, newDaily, searchPerSecond);
  }
}
