package io.salesos.admin;

import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.salesos.mirror.Database;
import io.salesos.connection.CrmConnection;
import io.salesos.outbox.ConflictStore;
import io.salesos.outbox.OutboxStore;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The daemon's Prometheus metrics (Micrometer): sync lag per object, outbox depth, API budget per
 * CRM, errors, rule hits, rules that errored on records, quarantine size and job timings. Values kept in the database are read
 * at scrape time, so every daemon of a cluster reports the same truth.
 */
public final class Metrics {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Database database;
  private final OutboxStore outbox;
  private final ConflictStore conflictStore;
  private final List<CrmConnection> connections;
  private final MultiGauge syncLag;
  private final MultiGauge pullErrors;
  private final MultiGauge outboxByStatus;
  private final MultiGauge budgetUsed;
  private final MultiGauge budgetLimit;
  private final MultiGauge ruleHits;
  private final MultiGauge ruleErrors;
  private final MultiGauge evaluationReady;
  private final MultiGauge watermarkAge;
  private final MultiGauge unconvertedDeals;
  private final AtomicLong outboxDepth = new AtomicLong();
  private final AtomicLong quarantine = new AtomicLong();
  private final AtomicLong conflicts = new AtomicLong();

  public Metrics(Database database, List<CrmConnection> connections) {
    this(database, connections, new io.salesos.pipeline.ChangeLatency());
  }

  private final io.salesos.pipeline.ChangeLatency latency;
  private final MultiGauge changeToFlag;
  private final MultiGauge streamFallbacks;
  private final MultiGauge streamAge;

  /** With the change-to-flag latency the daemon's pipeline measures. */
  public Metrics(Database database, List<CrmConnection> connections, io.salesos.pipeline.ChangeLatency latency) {
    this.latency = latency;
    this.database = database;
    // reads only: the stores' clock stamps writes, which metrics never make
    this.outbox = new OutboxStore(database, Clock.systemUTC());
    this.conflictStore = new ConflictStore(database, Clock.systemUTC());
    this.connections = List.copyOf(connections);
    registry.gauge("salesos_outbox_depth", outboxDepth);
    registry.gauge("salesos_quarantine_size", quarantine);
    registry.gauge("salesos_conflicts", conflicts);
    syncLag = MultiGauge.builder("salesos_sync_lag_seconds").description("seconds since the last successful pull of each object").register(registry);
    pullErrors = MultiGauge.builder("salesos_sync_errors").description("1 when the last pull of the object failed").register(registry);
    outboxByStatus = MultiGauge.builder("salesos_outbox_rows").description("outbox rows by status").register(registry);
    budgetUsed = MultiGauge.builder("salesos_api_budget_used").description("API requests used in the CRM's daily window").register(registry);
    budgetLimit = MultiGauge.builder("salesos_api_budget_limit").description("API requests allowed in the CRM's daily window").register(registry);
    evaluationReady = MultiGauge.builder("salesos_evaluation_ready")
        .description("1 when the connection's mirror is complete and rules run over it; 0 while they wait (see the status page)")
        .register(registry);
    watermarkAge = MultiGauge.builder("salesos_mirror_watermark_age_seconds")
        .description("seconds since the time up to which every mapped object of the connection is pulled").register(registry);
    changeToFlag = MultiGauge.builder("salesos_change_to_flag_seconds")
        .description("CRM commit time of a streamed deal change to the CRM acknowledging salesos's write for it,"
            + " over this daemon's last 1000 such changes, by quantile (0.5, 0.95, 1 = max)").register(registry);
    streamFallbacks = MultiGauge.builder("salesos_stream_fallbacks")
        .description("times the connection's change stream could not go on (gap, overflow, expired position) and the"
            + " keyset pull took over").register(registry);
    streamAge = MultiGauge.builder("salesos_stream_position_age_seconds")
        .description("seconds since the connection's change stream position last moved or was confirmed").register(registry);
    unconvertedDeals = MultiGauge.builder("salesos_deals_unconverted")
        .description("live deals whose currency has no exchange rate, left out of every total").register(registry);
    ruleHits = MultiGauge.builder("salesos_rule_hits").description("deals or subjects each rule fired on in the last run").register(registry);
    ruleErrors = MultiGauge.builder("salesos_rule_errors")
        .description("records each rule could not be evaluated on in the source's last run (they got no write from it)")
        .register(registry);
  }

  /** Times a job run. */
  public void jobRan(String job, long nanos) {
    Timer.builder("salesos_job_duration").tag("job", job).register(registry).record(Duration.ofNanos(nanos));
  }

  /** Reads the database-held values and renders the Prometheus text. */
  public String scrape() {
    refresh();
    return registry.scrape();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  void refresh() {
    outboxDepth.set(outbox.depth());
    conflicts.set(conflictStore.count(Optional.empty()));
    try (var c = database.connection()) {
      try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM quarantine WHERE resolved_at IS NULL")) {
        rs.next();
        quarantine.set(rs.getLong(1));
      }
      var lag = new ArrayList<MultiGauge.Row<?>>();
      var errors = new ArrayList<MultiGauge.Row<?>>();
      try (var rs = c.createStatement().executeQuery(
          "SELECT source, crm_object, TIMESTAMPDIFF(SECOND, last_pull_at, UTC_TIMESTAMP(3)), last_error IS NOT NULL FROM sync_checkpoint")) {
        while (rs.next()) {
          var tags = Tags.of("source", rs.getString(1), "object", rs.getString(2));
          long seconds = rs.getLong(3);
          lag.add(MultiGauge.Row.of(tags, rs.wasNull() ? Double.NaN : seconds));
          errors.add(MultiGauge.Row.of(tags, rs.getBoolean(4) ? 1 : 0));
        }
      }
      var erroredRules = new ArrayList<MultiGauge.Row<?>>();
      try (var rs = c.createStatement().executeQuery(
          "SELECT e.source, e.rule_id, e.records FROM rule_error e JOIN rule_run r ON r.run_id = e.run_id"
              + " JOIN (SELECT source, MAX(started_at) AS at FROM rule_run WHERE status = 'done' GROUP BY source) l"
              + " ON l.source = r.source AND l.at = r.started_at WHERE e.source IS NOT NULL")) {
        while (rs.next()) {
          erroredRules.add(MultiGauge.Row.of(Tags.of("source", rs.getString(1), "rule", rs.getString(2)), rs.getLong(3)));
        }
      }
      ruleErrors.register(erroredRules, true);
      syncLag.register(lag, true);
      pullErrors.register(errors, true);
    } catch (SQLException e) {
      throw new IllegalStateException("could not read metrics from the mirror: " + e.getMessage(), e);
    }
    var ready = new ArrayList<MultiGauge.Row<?>>();
    var age = new ArrayList<MultiGauge.Row<?>>();
    var progress = new io.salesos.sync.PullProgress(database, Clock.systemUTC());
    for (var conn : connections) {
      var r = progress.readiness(conn.name());
      ready.add(MultiGauge.Row.of(Tags.of("source", conn.name()), r.ready() ? 1 : 0));
      age.add(MultiGauge.Row.of(Tags.of("source", conn.name()),
          r.watermark().map(w -> (double) Math.max(0, Duration.between(w, java.time.Instant.now()).toSeconds())).orElse(Double.NaN)));
    }
    var unconverted = new ArrayList<MultiGauge.Row<?>>();
    var currencies = new io.salesos.currency.CurrencyStore(database);
    for (var conn : connections) {
      currencies.unconverted(conn.name()).forEach((currency, n) ->
          unconverted.add(MultiGauge.Row.of(Tags.of("source", conn.name(), "currency", currency), n)));
    }
    unconvertedDeals.register(unconverted, true);
    evaluationReady.register(ready, true);
    var quantiles = new ArrayList<MultiGauge.Row<?>>();
    latency.all().forEach((source, f) -> {
      quantiles.add(MultiGauge.Row.of(Tags.of("source", source, "quantile", "0.5"), f.p50() / 1000.0));
      quantiles.add(MultiGauge.Row.of(Tags.of("source", source, "quantile", "0.95"), f.p95() / 1000.0));
      quantiles.add(MultiGauge.Row.of(Tags.of("source", source, "quantile", "1"), f.max() / 1000.0));
    });
    changeToFlag.register(quantiles, true);
    var fallbacks = new ArrayList<MultiGauge.Row<?>>();
    var ages = new ArrayList<MultiGauge.Row<?>>();
    for (var st : io.salesos.sync.StreamFollower.positions(database)) {
      var last = Tags.of("source", st.source(), "last_kind", st.lastFallbackKind().orElse("none"));
      fallbacks.add(MultiGauge.Row.of(last, st.fallbacks()));
      ages.add(MultiGauge.Row.of(Tags.of("source", st.source()),
          Math.max(0, Duration.between(st.updatedAt(), java.time.Instant.now()).toSeconds())));
    }
    streamFallbacks.register(fallbacks, true);
    streamAge.register(ages, true);
    watermarkAge.register(age, true);
    var byStatus = new ArrayList<MultiGauge.Row<?>>();
    outbox.counts().forEach((status, n) -> byStatus.add(MultiGauge.Row.of(Tags.of("status", status), n)));
    outboxByStatus.register(byStatus, true);
    var hits = new ArrayList<MultiGauge.Row<?>>();
    outbox.countsByRuleOfLatestRun().forEach((rule, n) -> hits.add(MultiGauge.Row.of(Tags.of("rule", rule), n)));
    ruleHits.register(hits, true);
    List<MultiGauge.Row<?>> used = new ArrayList<>();
    List<MultiGauge.Row<?>> limit = new ArrayList<>();
    for (var conn : connections) {
      var b = conn.connector().limits();
      var tags = Tags.of("source", conn.name());
      b.dailyUsed().ifPresent(v -> used.add(MultiGauge.Row.of(tags, v)));
      b.dailyLimit().ifPresent(v -> limit.add(MultiGauge.Row.of(tags, v)));
    }
    budgetUsed.register(used, true);
    budgetLimit.register(limit, true);
  }
}
