package io.salesos.salesforce.sandbox;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live sessions (SOAP login session ids and OAuth access tokens are the same thing in Salesforce)
 * with the org's inactivity timeout.
 */
final class Sessions {

  /** Who a session belongs to and when it was last used. */
  record Session(String userId, Instant lastUsed) {}

  private final Map<String, Session> live = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  private final String orgId;
  private volatile Duration timeout = Duration.ofHours(2);

  Sessions(Clock clock, String orgId) {
    this.clock = clock;
    this.orgId = orgId;
  }

  void timeout(Duration t) {
    this.timeout = t;
  }

  Duration timeout() {
    return timeout;
  }

  String open(String userId) {
    var bytes = new byte[48];
    random.nextBytes(bytes);
    var id = orgId.substring(0, 15) + "!AQ" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    live.put(id, new Session(userId, clock.instant()));
    return id;
  }

  /** The session's user when it is live, refreshing its idle timer. */
  Optional<String> use(String sessionId) {
    if (sessionId == null) {
      return Optional.empty();
    }
    var s = live.get(sessionId);
    if (s == null) {
      return Optional.empty();
    }
    var now = clock.instant();
    if (Duration.between(s.lastUsed(), now).compareTo(timeout) > 0) {
      live.remove(sessionId);
      return Optional.empty();
    }
    live.put(sessionId, new Session(s.userId(), now));
    return Optional.of(s.userId());
  }

  void close(String sessionId) {
    if (sessionId != null) {
      live.remove(sessionId);
    }
  }

  void expireAll() {
    live.clear();
  }
}
