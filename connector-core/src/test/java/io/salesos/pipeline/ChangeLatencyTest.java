package io.salesos.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChangeLatencyTest {

  @Test
  void percentilesAreNearestRankOverTheKeptChangesOfEachConnection() {
    var latency = new ChangeLatency();
    for (int i = 1; i <= 100; i++) {
      latency.record("hs", Duration.ofMillis(i * 10L));
    }
    latency.record("sf", Duration.ofSeconds(3));

    assertThat(latency.of("hs")).contains(new ChangeLatency.Figures(100, 500, 950, 1000));
    assertThat(latency.of("sf")).contains(new ChangeLatency.Figures(1, 3000, 3000, 3000));
    assertThat(latency.of("none")).isEmpty();
  }

  @Test
  void onlyTheLastThousandChangesCountAndANegativeClockSkewCountsAsZero() {
    var latency = new ChangeLatency();
    for (int i = 0; i < ChangeLatency.KEPT; i++) {
      latency.record("hs", Duration.ofSeconds(60));
    }
    for (int i = 0; i < ChangeLatency.KEPT; i++) {
      latency.record("hs", Duration.ofMillis(-5));
    }
    assertThat(latency.of("hs").orElseThrow()).isEqualTo(new ChangeLatency.Figures(2L * ChangeLatency.KEPT, 0, 0, 0));
  }
}
