package io.salesos.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.mirror.Database;
import io.salesos.pipeline.ChangeLatency;
import io.salesos.testing.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Change-to-flag latency and the change stream's fallbacks, on /metrics and the status page. */
class StreamMetricsTest {

  Database db;

  @BeforeEach
  void start() throws Exception {
    db = TestDatabases.fresh();
    try (var c = db.connection()) {
      c.createStatement().execute("INSERT INTO stream_position (source, position, updated_at, entries_total, changes_total,"
          + " fallbacks_total, last_fallback_at, last_fallback_kind, last_fallback_reason) VALUES ('hs', 'abc',"
          + " UTC_TIMESTAMP(3), 12, 30, 2, UTC_TIMESTAMP(3), 'EXPIRED', 'the journal no longer holds offset abc')");
    }
  }

  @AfterEach
  void stop() {
    db.close();
  }

  @Test
  void metricsCarryTheLatencyQuantilesAndTheFallbacksPerConnection() {
    var latency = new ChangeLatency();
    latency.record("hs", Duration.ofMillis(1500));
    latency.record("hs", Duration.ofMillis(4000));

    var text = new Metrics(db, List.of(), latency).scrape();

    assertThat(text).contains("salesos_change_to_flag_seconds{quantile=\"0.5\",source=\"hs\"} 1.5")
        .contains("salesos_change_to_flag_seconds{quantile=\"0.95\",source=\"hs\"} 4.0")
        .contains("salesos_stream_fallbacks{last_kind=\"EXPIRED\",source=\"hs\"} 2.0")
        .contains("salesos_stream_position_age_seconds{source=\"hs\"}");
  }

  @Test
  void theStatusPageShowsTheStreamAndItsLatency() {
    var latency = new ChangeLatency();
    latency.record("hs", Duration.ofMillis(1200));
    var page = new StatusPage(db, List.of("hs"), AdminToken.none(), Clock.systemUTC(), Optional::empty, latency);

    var html = page.render("hs", null);

    assertThat(html).contains("Change stream: read").contains("30 changes from 12 entries").contains("2 fallbacks to the pull")
        .contains("EXPIRED: the journal no longer holds offset abc").contains("change-to-flag p50 <strong>1.2 s</strong>");
  }
}
