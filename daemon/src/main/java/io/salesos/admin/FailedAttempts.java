package io.salesos.admin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Wrong admin tokens per remote address: after {@code limit} failures within {@code window} the
 * address is blocked for {@code block}, whatever it presents, so a token cannot be guessed at
 * network speed.
 */
final class FailedAttempts {

  // Entries go stale after window and block; pruned only past this size, so a steady trickle costs nothing.
  private static final int PRUNE_ABOVE = 10_000;

  private final Clock clock;
  private final int limit;
  private final Duration window;
  private final Duration block;
  private final Map<String, Address> byAddress = new HashMap<>();

  FailedAttempts(Clock clock, int limit, Duration window, Duration block) {
    this.clock = clock;
    this.limit = limit;
    this.window = window;
    this.block = block;
  }

  /** Ten failures a minute, then a minute's block. */
  static FailedAttempts standard(Clock clock) {
    return new FailedAttempts(clock, 10, Duration.ofMinutes(1), Duration.ofMinutes(1));
  }

  /** Whether {@code address} is blocked now. */
  synchronized boolean blocked(String address) {
    var a = byAddress.get(address);
    return a != null && a.blockedUntil != null && clock.instant().isBefore(a.blockedUntil);
  }

  /** Counts a failure; returns true when this one blocks the address. */
  synchronized boolean failed(String address) {
    var now = clock.instant();
    if (byAddress.size() > PRUNE_ABOVE) {
      byAddress.values().removeIf(a -> a.stale(now, window));
    }
    var a = byAddress.computeIfAbsent(address, k -> new Address());
    a.failures.addLast(now);
    while (!a.failures.isEmpty() && !a.failures.peekFirst().isAfter(now.minus(window))) {
      a.failures.removeFirst();
    }
    if (a.failures.size() >= limit) {
      a.failures.clear();
      a.blockedUntil = now.plus(block);
      return true;
    }
    return false;
  }

  long blockSeconds() {
    return block.toSeconds();
  }

  private static final class Address {
    final ArrayDeque<Instant> failures = new ArrayDeque<>();
    Instant blockedUntil;

    boolean stale(Instant now, Duration window) {
      return (blockedUntil == null || !now.isBefore(blockedUntil))
          && (failures.isEmpty() || !failures.peekLast().isAfter(now.minus(window)));
    }
  }
}
