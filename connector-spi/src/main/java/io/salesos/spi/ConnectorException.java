package io.salesos.spi;

/**
 * A CRM call failed as a whole (network, auth, limits, server error); per-record failures are
 * {@link WriteResult}s or {@link MalformedRecord}s instead.
 */
public class ConnectorException extends Exception {

  private final Kind kind;
  private final long retryAfterMillis;

  /** What kind of failure this was, so core can decide to retry, wait, re-authenticate or stop. */
  public enum Kind {
    /** Temporary: 5xx, timeouts, lock contention. Retry with backoff. */
    TRANSIENT,
    /** The CRM asked us to slow down (HubSpot 429). Retry after {@link #retryAfterMillis()}. */
    RATE_LIMITED,
    /** A budget that does not refill soon is spent (Salesforce REQUEST_LIMIT_EXCEEDED): stop. */
    LIMIT_EXHAUSTED,
    /** Credentials are wrong or revoked: stop and tell a person. */
    AUTHENTICATION,
    /** The request itself is wrong (bad field, bad query): retrying cannot help. */
    PERMANENT
  }

  public ConnectorException(Kind kind, String message) {
    this(kind, message, 0L, null);
  }

  public ConnectorException(Kind kind, String message, Throwable cause) {
    this(kind, message, 0L, cause);
  }

  public ConnectorException(Kind kind, String message, long retryAfterMillis, Throwable cause) {
    super(message, cause);
    this.kind = java.util.Objects.requireNonNull(kind, "kind");
    this.retryAfterMillis = Math.max(0L, retryAfterMillis);
  }

  public Kind kind() {
    return kind;
  }

  /** How long the CRM told us to wait before trying again; 0 when it said nothing. */
  public long retryAfterMillis() {
    return retryAfterMillis;
  }

  public boolean retryable() {
    return kind == Kind.TRANSIENT || kind == Kind.RATE_LIMITED;
  }
}
