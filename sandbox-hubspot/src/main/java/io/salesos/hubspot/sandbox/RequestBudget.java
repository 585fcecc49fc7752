package io.salesos.hubspot.sandbox;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Counts requests against the portal's limits: a rolling burst window and a daily total (reset at
 * midnight UTC, standing in for the account's time zone), plus the search API's per-second limit.
 * Windows run on a real-time ticker, not the server clock, so a test that pins the server clock
 * still sees windows refill.
 */
final class RequestBudget {

  /** What a request was told: the policy it broke (if any) and the header values to send. */
  record Verdict(Optional<String> brokenPolicy, int max, int remaining, long intervalMillis, long daily,
      long dailyRemaining) {}

  private final RateLimits limits;
  private final Clock clock;
  private final LongSupplier nanos;
  private final ArrayDeque<Long> window = new ArrayDeque<>();
  private final ArrayDeque<Long> searchWindow = new ArrayDeque<>();
  private LocalDate day;
  private long usedToday;

  RequestBudget(RateLimits limits, Clock clock, LongSupplier nanos) {
    this.limits = limits;
    this.clock = clock;
    this.nanos = nanos;
  }

  synchronized Verdict take(boolean search) {
    long now = nanos.getAsLong();
    var today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    if (!today.equals(day)) {
      day = today;
      usedToday = 0;
    }
    expire(window, now, limits.intervalMillis() * 1_000_000L);
    expire(searchWindow, now, 1_000_000_000L);
    Optional<String> broken = Optional.empty();
    if (usedToday >= limits.daily()) {
      broken = Optional.of("DAILY");
    } else if (window.size() >= limits.burst()) {
      broken = Optional.of("TEN_SECONDLY_ROLLING");
    } else if (search && searchWindow.size() >= limits.searchPerSecond()) {
      broken = Optional.of("SECONDLY");
    } else {
      window.addLast(now);
      usedToday++;
      if (search) {
        searchWindow.addLast(now);
      }
    }
    return new Verdict(broken, limits.burst(), Math.max(0, limits.burst() - window.size()),
        limits.intervalMillis(), limits.daily(), Math.max(0, limits.daily() - usedToday));
  }

  synchronized Verdict exhausted() {
    return new Verdict(Optional.of("TEN_SECONDLY_ROLLING"), limits.burst(), 0, limits.intervalMillis(),
        limits.daily(), Math.max(0, limits.daily() - usedToday));
  }

  /** Calls counted against today's daily limit so far (the day rolls over at midnight UTC). */
  synchronized long usedToday() {
    var today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    return today.equals(day) ? usedToday : 0;
  }

  long dailyLimit() {
    return limits.daily();
  }

  private static void expire(ArrayDeque<Long> q, long now, long spanNanos) {
    while (!q.isEmpty() && now - q.peekFirst() >= spanNanos) {
      q.pollFirst();
    }
  }
}
