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
 * change_stream} (off, the default, or journal: follow HubSpot's webhooks journal, see
 * docs/change-streams.md), and the secrets {@code token} (a private app token) and {@code
 * journal_token} (the app's client-credentials token the journal API takes; the private app token
 * when absent).
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
        changeStream(context),
        context.secret("journal_token").orElse(token));
  }

  /** The same settings with the journal's token as the one every request carries. */
  HubSpotSettings forJournal() {
    return new HubSpotSettings(baseUrl, journalToken, tier, objectsPath, overlap, searchPerSecond, connectTimeout,
        requestTimeout, journal, journalToken);
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
