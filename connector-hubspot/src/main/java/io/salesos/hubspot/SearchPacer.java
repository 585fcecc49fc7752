package io.salesos.hubspot;

/**
 * Keeps this connection's search calls under HubSpot's per-account search limit (5 per second,
 * separate from the burst limit and without rate-limit headers), by spacing them out.
 */
final class SearchPacer {

  private final long spacingNanos;
  private long last;

  SearchPacer(double perSecond) {
    this.spacingNanos = perSecond <= 0 ? 0 : (long) (1_000_000_000L / perSecond);
  }

  synchronized void await() {
    if (spacingNanos == 0) {
      return;
    }
    long now = System.nanoTime();
    long wait = last + spacingNanos - now;
    if (last != 0 && wait > 0) {
      try {
        Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    last = System.nanoTime();
  }
}
