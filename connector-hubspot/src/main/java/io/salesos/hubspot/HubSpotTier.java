package io.salesos.hubspot;

/**
 * A HubSpot subscription tier and the API limits HubSpot publishes for it (burst per 10 s per
 * app, requests per day per account), so the rate limiter can be sized before the first response.
 */
public enum HubSpotTier {
  FREE(100, 250_000),
  STARTER(100, 250_000),
  PROFESSIONAL(190, 625_000),
  ENTERPRISE(190, 1_000_000);

  /** The burst window HubSpot counts in. */
  public static final long INTERVAL_MILLIS = 10_000L;

  private final int burst;
  private final long daily;

  HubSpotTier(int burst, long daily) {
    this.burst = burst;
    this.daily = daily;
  }

  public int burst() {
    return burst;
  }

  public long daily() {
    return daily;
  }

  /** The tier named in a configuration file: free, starter, professional or enterprise. */
  public static HubSpotTier parse(String name) {
    for (var t : values()) {
      if (t.name().equalsIgnoreCase(name.trim())) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown HubSpot tier '" + name
        + "'; use free, starter, professional or enterprise");
  }
}
