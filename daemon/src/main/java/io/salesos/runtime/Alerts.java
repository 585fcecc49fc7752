package io.salesos.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.salesos.mirror.Database;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.rules.RuleProblem;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failure alerts for the admin who is not watching the status page: a write dead-lettered, a rule
 * set rejected, a connection whose pulls have failed for {@code alerts.connection_failing_minutes}.
 * Each incident is posted once to the configured webhook, as JSON with a {@code text} member (what
 * Slack and Teams incoming webhooks show), and again only after it cleared and came back. The URL
 * is a secret (such URLs carry their own token): it is never logged.
 */
public final class Alerts implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Alerts.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One incident: a stable key (it is alerted once while it lasts), its event name and the text. */
  record Incident(String key, String event, String text) {}

  private final Database database;
  private final LiveRuleSet rules;
  private final URI webhook;
  private final Duration failingFor;
  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Set<String> open = new HashSet<>();
  private long deadSeen;
  private ScheduledExecutorService timer;

  Alerts(Database database, LiveRuleSet rules, URI webhook, Duration failingFor, Clock clock) {
    this.database = database;
    this.rules = rules;
    this.webhook = webhook;
    this.failingFor = failingFor;
    this.clock = clock;
    // rows dead-lettered before this daemon started were someone's business already
    this.deadSeen = maxDeadId();
  }

  /** Checks every {@code every} and posts new incidents; nothing when no webhook is configured. */
  public static Optional<Alerts> start(Database database, LiveRuleSet rules, Optional<String> webhookUrl,
      int connectionFailingMinutes, Duration every, Clock clock) {
    if (webhookUrl.isEmpty() || webhookUrl.get().isBlank()) {
      return Optional.empty();
    }
    var uri = URI.create(webhookUrl.get().strip());
    if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
      throw new IllegalArgumentException("alerts.webhook_url must be an http(s) URL");
    }
    var alerts = new Alerts(database, rules, uri, Duration.ofMinutes(connectionFailingMinutes), clock);
    alerts.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      var t = new Thread(r, "salesos-alerts");
      t.setDaemon(true);
      return t;
    });
    alerts.timer.scheduleWithFixedDelay(() -> {
      try {
        alerts.check();
      } catch (RuntimeException e) {
        log.warn("event=alerts_check_failed reason=\"{}\"", e.getMessage());
      }
    }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    log.info("event=alerts_on host={} connection_failing_minutes={}", uri.getHost(), connectionFailingMinutes);
    return Optional.of(alerts);
  }

  /** One round: finds the incidents open now, posts the new ones, forgets the cleared ones. Returns those posted. */
  synchronized List<Incident> check() {
    var now = new LinkedHashMap<String, Incident>();
    rulesRejected().ifPresent(i -> now.put(i.key(), i));
    deadLettered().ifPresent(i -> now.put(i.key(), i));
    failingConnections().forEach(i -> now.put(i.key(), i));
    var posted = new java.util.ArrayList<Incident>();
    for (var i : now.values()) {
      if (!open.contains(i.key()) && post(i)) {
        open.add(i.key());
        posted.add(i);
        if (i.key().startsWith("dead:")) {
          // only once delivered: a receiver that was down hears of these rows at the next round
          deadSeen = Long.parseLong(i.key().substring("dead:".length()));
        }
      }
    }
    // a dead-letter batch is an event, not a state: it is never "open" beyond its round
    open.removeIf(k -> !now.containsKey(k) || k.startsWith("dead:"));
    return posted;
  }

  private Optional<Incident> rulesRejected() {
    var problems = rules.problems();
    if (problems.isEmpty()) {
      return Optional.empty();
    }
    var first = problems.get(0);
    var keeping = rules.current().map(s -> "the last good set (" + s.version() + ") stays in force")
        .orElse("no rule set is in force, so nothing is written");
    return Optional.of(new Incident("rules:" + problems.stream().map(RuleProblem::toString).toList().hashCode(),
        "rules_rejected", "salesos: the rule files were rejected (" + problems.size() + " problem"
            + (problems.size() == 1 ? "" : "s") + "; first: " + first + "); " + keeping + "."));
  }

  private Optional<Incident> deadLettered() {
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT id, write_kind, source, crm_object, last_error FROM outbox"
            + " WHERE status = 'dead' AND id > ? ORDER BY id")) {
      ps.setLong(1, deadSeen);
      try (var rs = ps.executeQuery()) {
        int count = 0;
        String first = null;
        long max = deadSeen;
        while (rs.next()) {
          count++;
          max = Math.max(max, rs.getLong(1));
          if (first == null) {
            first = rs.getString(2) + " to " + rs.getString(3) + "/" + rs.getString(4) + ": " + rs.getString(5);
          }
        }
        if (count == 0) {
          return Optional.empty();
        }
        return Optional.of(new Incident("dead:" + max, "writes_dead_lettered", "salesos: " + count + " write"
            + (count == 1 ? " was" : "s were") + " dead-lettered (given up after its tries, or refused by the CRM);"
            + " first: " + first + ". See `salesos outbox list --status dead`."));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the outbox: " + e.getMessage(), e);
    }
  }

  private List<Incident> failingConnections() {
    var cutoff = Timestamp.from(clock.instant().minus(failingFor));
    var out = new java.util.ArrayList<Incident>();
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT source, MIN(COALESCE(last_pull_at, updated_at)), MAX(last_error)"
            + " FROM sync_checkpoint WHERE last_error IS NOT NULL GROUP BY source"
            + " HAVING MIN(COALESCE(last_pull_at, updated_at)) <= ? ORDER BY source")) {
      ps.setTimestamp(1, cutoff);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          var source = rs.getString(1);
          out.add(new Incident("connection:" + source, "connection_failing", "salesos: pulls from " + source
              + " have failed since " + rs.getTimestamp(2).toInstant() + " (over " + failingFor.toMinutes()
              + " minutes): " + rs.getString(3)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the sync checkpoints: " + e.getMessage(), e);
    }
  }

  private long maxDeadId() {
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM outbox WHERE status = 'dead'");
        var rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the outbox: " + e.getMessage(), e);
    }
  }

  /** Posts one incident; false (tried again next round) when the receiver fails. */
  private boolean post(Incident i) {
    try {
      var body = JSON.writeValueAsString(Map.of("text", i.text(), "event", i.event(), "at", clock.instant().toString()));
      var request = HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
      var response = http.send(request, HttpResponse.BodyHandlers.discarding());
      if (response.statusCode() / 100 != 2) {
        log.warn("event=alert_not_delivered alert={} status={}", i.event(), response.statusCode());
        return false;
      }
      log.info("event=alert_sent alert={} key={}", i.event(), i.key());
      return true;
    } catch (java.io.IOException e) {
      log.warn("event=alert_not_delivered alert={} reason=\"{}\"", i.event(), e.getClass().getSimpleName());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
