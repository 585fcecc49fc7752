package io.salesos.hubspot;

import io.salesos.spi.ConnectorContext;
import java.time.Duration;
import java.util.Objects;

/**
 * A HubSpot connection's settings, each declared once here with its default: {@code base_url}
 * (https://api.hubapi.com), {@code tier} (free|starter|professional|enterprise), {@code
 * objects_path} (/crm/v3/objects; HubSpot also serves date-versioned paths), {@code
 * overlap_seconds} (how far back each incremental round re-reads, for search-index lag), {@code
 * request_timeout_seconds}, {@code search_per_second} (4; HubSpot allows 5 per account), {@code
 * fiscal_year_start_month} (1 = January: HubSpot's API reports no fiscal year, so the portal's is
 * configured here), {@code change_stream} (off, the default, or journal: follow HubSpot's webhooks
 * journal, see docs/change-streams.md), and the secrets {@code token} (a private app token) and
 * {@code journal_token} (the app's client-credentials token the journal API takes; the private app
 * token when absent).
 */
record HubSpotSettings(
    String baseUrl,
    String token,
    HubSpotTier tier,
    String objectsPath,
    Duration overlap,
    double searchPerSecond,
    Duration connectTimeout,
    Duration requestTimeout,
    int fiscalYearStartMonth,
    boolean journal,
    String journalToken) {

  static final String DEFAULT_BASE_URL = "https://api.hubapi.com";

  HubSpotSettings {
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(journalToken, "journalToken");
    baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    objectsPath = objectsPath.endsWith("/") ? objectsPath.substring(0, objectsPath.length() - 1) : objectsPath;
  }

  static HubSpotSettings from(ConnectorContext context) {
    var token = context.secret("token").orElseThrow(() -> new IllegalArgumentException(
        "connection '" + context.name() + "' needs the secret 'token' (a HubSpot private app token)"));
    return new HubSpotSettings(
        context.setting("base_url").orElse(DEFAULT_BASE_URL),
        token,
        HubSpotTier.parse(context.setting("tier").orElse("professional")),
        context.setting("objects_path").orElse("/crm/v3/objects"),
        Duration.ofSeconds(seconds(context, "overlap_seconds", 30)),
        seconds(context, "search_per_second", 4),
        Duration.ofSeconds(10),
        Duration.ofSeconds(seconds(context, "request_timeout_seconds", 60)),
        month(context, "fiscal_year_start_month"),
        changeStream(context),
        context.secret("journal_token").orElse(token));
  }

  /** A month number 1-12 (January when unset); anything else stops the connection with the reason. */
  private static int month(ConnectorContext context, String key) {
    var v = context.setting(key).map(String::strip);
    if (v.isEmpty()) {
      return 1;
    }
    try {
      int m = Integer.parseInt(v.get());
      if (m >= 1 && m <= 12) {
        return m;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("connection '" + context.name() + "': setting '" + key
        + "' must be the number of the month the fiscal year starts in (1 for January ... 12), was '" + v.get() + "'");
  }

  /** The same settings with the journal's token as the one every request carries. */
  HubSpotSettings forJournal() {
    return new HubSpotSettings(baseUrl, journalToken, tier, objectsPath, overlap, searchPerSecond, connectTimeout,
        requestTimeout, fiscalYearStartMonth, journal, journalToken);
  }

  private static boolean changeStream(ConnectorContext context) {
    var v = context.setting("change_stream").orElse("off");
    return switch (v) {
      case "off" -> false;
      case "journal" -> true;
      default -> throw new IllegalArgumentException("connection '" + context.name()
          + "': setting 'change_stream' must be off or journal, was '" + v + "'");
    };
  }

  private static long seconds(ConnectorContext context, String key, long dflt) {
    var v = context.setting(key);
    try {
      return v.map(Long::parseLong).orElse(dflt);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("connection '" + context.name() + "': setting '" + key
          + "' must be a whole number of seconds, was '" + v.get() + "'");
    }
  }

  /** Never print the token. */
  @Override
  public String toString() {
    return "HubSpotSettings[baseUrl=" + baseUrl + ", tier=" + tier + ", objectsPath=" + objectsPath
        + ", overlap=" + overlap + "]";
  }
}
