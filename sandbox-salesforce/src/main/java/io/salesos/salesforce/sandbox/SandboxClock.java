package io.salesos.salesforce.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The sandbox org's clock: either the system clock shifted by an offset, or a frozen instant, and
 * either way movable by tests, so sessions, query locators and stamps can be aged on demand.
 */
public final class SandboxClock extends Clock {

  private final boolean frozen;
  private volatile Instant base;
  private volatile Duration offset = Duration.ZERO;

  private SandboxClock(boolean frozen, Instant base) {
    this.frozen = frozen;
    this.base = base;
  }

  /** Follows the system clock. */
  public static SandboxClock system() {
    return new SandboxClock(false, Instant.EPOCH);
  }

  /** Stands still at {@code at} until moved. */
  public static SandboxClock frozenAt(Instant at) {
    return new SandboxClock(true, at);
  }

  public void advance(Duration by) {
    offset = offset.plus(by);
  }

  /** Moves a frozen clock to {@code at} (a system clock is shifted so that now is {@code at}). */
  public void set(Instant at) {
    if (frozen) {
      base = at;
      offset = Duration.ZERO;
    } else {
      offset = Duration.between(Instant.now(), at);
    }
  }

  @Override
  public Instant instant() {
    return (frozen ? base : Instant.now()).plus(offset);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
