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

  /** HubSpot's published limits for a tier: free, starter, professional, enterprise. */
  public static RateLimits forTier(String tier) {
    var t = io.salesos.hubspot.HubSpotTier.parse(tier);
    return new RateLimits(t.burst(), io.salesos.hubspot.HubSpotTier.INTERVAL_MILLIS, t.daily(), 5);
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
