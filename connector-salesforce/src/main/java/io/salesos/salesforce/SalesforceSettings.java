package io.salesos.salesforce;

import io.salesos.spi.ConnectorContext;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * A Salesforce connection's settings, read and checked once at start: where to log in, how
 * (OAuth client credentials by default; SOAP login for older orgs), and the sync knobs.
 *
 * <p>Keys: {@code login_url}, {@code instance_url}, {@code auth}
 * (oauth_client_credentials|jwt|soap_login), {@code username}, {@code api_version}, {@code
 * bulk_threshold} (records above which an initial load uses Bulk query, default 10000), {@code
 * bulk_timeout_seconds} (how long a Bulk query job may take, queue time included, before it is
 * aborted and the pull fails with the reason, default 3600), {@code
 * overlap_seconds} (how far behind the server's clock each pull starts again, for late commits, default 60), {@code
 * read_timeout_seconds} (default 600, Salesforce's own limit for a call), {@code change_stream} (off, the
 * default, or cdc: follow Change Data Capture over the Pub/Sub API, see docs/change-streams.md),
 * {@code pubsub_url} (where the Pub/Sub API is served, default https://api.pubsub.salesforce.com:7443;
 * an http URL is plaintext, for the sandbox), and the secrets
 * {@code password}, {@code client_id}, {@code client_secret}, {@code private_key} (jwt).
 */
record SalesforceSettings(
    String name, String loginUrl, Optional<String> instanceUrl, Auth auth, Optional<String> username,
    Optional<String> password, Optional<String> clientId, Optional<String> clientSecret,
    Optional<String> privateKey, String apiVersion,
    int bulkThreshold, Duration bulkTimeout, Duration overlap, Duration readTimeout, boolean changeDataCapture,
    java.net.URI pubsubUrl) {

  /** How the connector authenticates. */
  enum Auth {
    OAUTH_CLIENT_CREDENTIALS,
    JWT_BEARER,
    SOAP_LOGIN
  }

  static SalesforceSettings from(ConnectorContext ctx) {
    var auth = switch (ctx.setting("auth").orElse("oauth_client_credentials").toLowerCase(Locale.ROOT)) {
      case "oauth_client_credentials", "oauth" -> Auth.OAUTH_CLIENT_CREDENTIALS;
      case "soap_login", "soap" -> Auth.SOAP_LOGIN;
      case "jwt", "jwt_bearer" -> Auth.JWT_BEARER;
      default -> throw new IllegalArgumentException("connection '" + ctx.name() + "': unknown auth '"
          + ctx.setting("auth").orElse("") + "'; use oauth_client_credentials, jwt or soap_login");
    };
    var s = new SalesforceSettings(ctx.name(),
        // the client-credentials flow only works against the org's My Domain, so the instance URL
        // is the better default for logging in than login.salesforce.com
        strip(ctx.setting("login_url").or(() -> ctx.setting("instance_url")).orElse("https://login.salesforce.com")),
        ctx.setting("instance_url").map(SalesforceSettings::strip), auth, ctx.setting("username"),
        secret(ctx, "password"), secret(ctx, "client_id"), secret(ctx, "client_secret"), secret(ctx, "private_key"),
        ctx.setting("api_version").orElse("65.0"),
        Integer.parseInt(ctx.setting("bulk_threshold").orElse("10000")),
        Duration.ofSeconds(Long.parseLong(ctx.setting("bulk_timeout_seconds").orElse("3600"))),
        Duration.ofSeconds(Long.parseLong(ctx.setting("overlap_seconds").orElse("60"))),
        Duration.ofSeconds(Long.parseLong(ctx.setting("read_timeout_seconds").orElse("600"))),
        changeStream(ctx), pubsubUrl(ctx));
    if (s.bulkTimeout.isNegative() || s.bulkTimeout.isZero()) {
      throw new IllegalArgumentException("connection '" + ctx.name() + "': bulk_timeout_seconds must be at least 1, was "
          + s.bulkTimeout.toSeconds());
    }
    if (auth == Auth.OAUTH_CLIENT_CREDENTIALS && (s.clientId.isEmpty() || s.clientSecret.isEmpty())) {
      throw new IllegalArgumentException("connection '" + ctx.name()
          + "': auth oauth_client_credentials needs the secrets client_id and client_secret");
    }
    if (auth == Auth.JWT_BEARER && (s.clientId.isEmpty() || s.username.isEmpty() || s.privateKey.isEmpty())) {
      throw new IllegalArgumentException("connection '" + ctx.name()
          + "': auth jwt needs username and the secrets client_id and private_key (PKCS#8 PEM)");
    }
    if (auth == Auth.SOAP_LOGIN && (s.username.isEmpty() || s.password.isEmpty())) {
      throw new IllegalArgumentException("connection '" + ctx.name() + "': auth soap_login needs username and the secret password");
    }
    return s;
  }

  private static boolean changeStream(ConnectorContext ctx) {
    var v = ctx.setting("change_stream").orElse("off").trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "off", "" -> false;
      case "cdc" -> true;
      default -> throw new IllegalArgumentException("connection '" + ctx.name()
          + "': setting 'change_stream' must be off or cdc, was '" + v + "'");
    };
  }

  private static java.net.URI pubsubUrl(ConnectorContext ctx) {
    var v = ctx.setting("pubsub_url").orElse(DEFAULT_PUBSUB_URL).trim();
    java.net.URI uri;
    try {
      uri = java.net.URI.create(v);
    } catch (IllegalArgumentException e) {
      uri = null;
    }
    if (uri == null || uri.getHost() == null || uri.getPort() < 1
        || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
      throw new IllegalArgumentException("connection '" + ctx.name() + "': setting 'pubsub_url' must be"
          + " https://host:port (or http://host:port for a plaintext sandbox), was '" + v + "'");
    }
    return uri;
  }

  /** Salesforce's Pub/Sub API endpoint (gRPC over TLS). */
  static final String DEFAULT_PUBSUB_URL = "https://api.pubsub.salesforce.com:7443";

  /** Core may hand secrets over with or without their {@code secret.} prefix; both are accepted. */
  private static Optional<String> secret(ConnectorContext ctx, String key) {
    return ctx.secret(key).or(() -> ctx.secret("secret." + key)).or(() -> ctx.setting("secret." + key));
  }

  private static String strip(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  String soapPath() {
    return "/services/Soap/u/" + apiVersion;
  }

  /** Never the secrets. */
  @Override
  public String toString() {
    return "SalesforceSettings[name=" + name + ", loginUrl=" + loginUrl + ", auth=" + auth + ", apiVersion=" + apiVersion + "]";
  }
}
