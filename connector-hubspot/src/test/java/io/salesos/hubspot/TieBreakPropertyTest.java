package io.salesos.hubspot;

import static io.salesos.hubspot.TestConnections.connect;
import static io.salesos.hubspot.TestConnections.drain;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.hubspot.sandbox.SandboxClock;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.PullRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The incremental cursor against any mix of shared stamps and page sizes. */
class TieBreakPropertyTest {

  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");

  @Property(tries = 10)
  void everyChangedRecordArrivesExactlyOnceWhateverTheTiesAndPageSize(
      @ForAll("clusters") List<Integer> clusters, @ForAll @IntRange(min = 5, max = 200) int pageSize)
      throws Exception {
    var clock = SandboxClock.fixed(T0);
    try (var sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withClock(clock)
        .withLimits(RateLimits.unlimited()).withSearchLag(Duration.ZERO))) {
      int total = clusters.stream().mapToInt(Integer::intValue).sum();
      var ids = sandbox.fillDeals(total + 50, T0.minus(Duration.ofDays(1)), Duration.ofMillis(1));
      clock.advance(Duration.ofMinutes(1));
      var from = Checkpoint.of(Map.of("phase", "search", "stamp", Long.toString(clock.millis()), "id", "",
          "archived_after", Long.toString(clock.millis())));
      clock.advance(Duration.ofSeconds(1));
      // each cluster is one batch write: its records share one millisecond stamp
      int next = 0;
      for (int size : clusters) {
        sandbox.update("deals", ids.subList(next, next + size), Map.of("amount", "9"));
        next += size;
        clock.advance(Duration.ofMillis(1));
      }
      var batches = drain(connect(sandbox), new PullRequest("deals", List.of("amount"), from, pageSize));

      var seen = new HashMap<String, Integer>();
      batches.forEach(b -> b.records().forEach(r -> seen.merge(r.id(), 1, Integer::sum)));
      assertThat(seen.keySet()).isEqualTo(new HashSet<>(ids.subList(0, total)));
      assertThat(seen.values()).allMatch(n -> n == 1);
    }
  }

  @Provide
  Arbitrary<List<Integer>> clusters() {
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(1, 3)),
            net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(4, 60)),
            net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(150, 450)))
        .list().ofMinSize(1).ofMaxSize(20)
        .filter(l -> l.stream().mapToInt(Integer::intValue).sum() <= 900);
  }
}
