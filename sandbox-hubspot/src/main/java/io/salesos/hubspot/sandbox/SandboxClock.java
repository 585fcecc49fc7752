package io.salesos.hubspot.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The sandbox's server clock: it follows wall time by default, and tests can pin it or move it,
 * so modification stamps, search lag and archive times are under the test's control.
 */
public final class SandboxClock extends Clock {

  // either a pinned instant (fixed) or an offset from wall time (ticking)
  private record State(Instant pinned, Duration offset) {}

  private final AtomicReference<State> state;

  private SandboxClock(State initial) {
    this.state = new AtomicReference<>(initial);
  }

  /** A clock that follows wall time. */
  public static SandboxClock ticking() {
    return new SandboxClock(new State(null, Duration.ZERO));
  }

  /** A clock pinned at {@code at} until a test moves it. */
  public static SandboxClock fixed(Instant at) {
    return new SandboxClock(new State(at, Duration.ZERO));
  }

  /** Moves the clock forward (or back, with a negative duration). */
  public void advance(Duration by) {
    state.updateAndGet(s -> s.pinned() != null
        ? new State(s.pinned().plus(by), s.offset())
        : new State(null, s.offset().plus(by)));
  }

  /** Pins the clock at {@code at}. */
  public void set(Instant at) {
    state.set(new State(at, Duration.ZERO));
  }

  @Override
  public Instant instant() {
    var s = state.get();
    return s.pinned() != null ? s.pinned() : Instant.now().plus(s.offset());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    // the server stamps in UTC whatever the caller asks for
    return this;
  }
}
