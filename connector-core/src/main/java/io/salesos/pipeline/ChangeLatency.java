package io.salesos.pipeline;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Change-to-flag latency per connection: from the CRM's commit time of a change to the moment the
 * CRM acknowledged the write salesos made because of it, over the last {@value #KEPT} changes of
 * this daemon, with p50, p95 and max. Thread-safe.
 */
public final class ChangeLatency {

  static final int KEPT = 1000;
  private final Map<String, ArrayDeque<Long>> samples = new TreeMap<>();
  private final Map<String, Long> counts = new TreeMap<>();

  /** One connection's figures, in milliseconds. */
  public record Figures(long count, long p50, long p95, long max) {}

  public synchronized void record(String connection, Duration latency) {
    var q = samples.computeIfAbsent(connection, k -> new ArrayDeque<>());
    q.addLast(Math.max(0, latency.toMillis()));
    if (q.size() > KEPT) {
      q.removeFirst();
    }
    counts.merge(connection, 1L, Long::sum);
  }

  public synchronized Optional<Figures> of(String connection) {
    var q = samples.get(connection);
    if (q == null || q.isEmpty()) {
      return Optional.empty();
    }
    var sorted = new ArrayList<>(q);
    Collections.sort(sorted);
    return Optional.of(new Figures(counts.get(connection), percentile(sorted, 50), percentile(sorted, 95),
        sorted.get(sorted.size() - 1)));
  }

  public synchronized Map<String, Figures> all() {
    var out = new TreeMap<String, Figures>();
    samples.keySet().forEach(k -> of(k).ifPresent(f -> out.put(k, f)));
    return out;
  }

  /** The nearest-rank percentile of sorted values. */
  static long percentile(java.util.List<Long> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }
}
