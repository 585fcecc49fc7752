package io.salesos.hubspot.sandbox;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The faults a test can switch on in a running sandbox: server errors, 429 bursts, slow and
 * malformed responses, and records carrying a wrong-typed property value.
 */
public final class Faults {

  private final AtomicReference<int[]> failNext = new AtomicReference<>(new int[] {0, 0});
  private final AtomicInteger rateLimitBurst = new AtomicInteger();
  private final AtomicInteger malformed = new AtomicInteger();
  private final AtomicLong slowMillis = new AtomicLong();
  private final AtomicInteger slowCount = new AtomicInteger();
  private final Map<String, String> wrongTyped = new ConcurrentHashMap<>();
  private volatile boolean wholeBatchRefusal;
  private final AtomicInteger journalDrops = new AtomicInteger();
  private volatile ChangeJournal journal;

  Faults() {}

  /** The next {@code times} requests answer {@code status} (500, 502, 503 or 504). */
  public Faults failNext(int status, int times) {
    if (status < 500 || status > 599) {
      throw new IllegalArgumentException("failNext takes a 5xx status, was " + status);
    }
    failNext.set(new int[] {status, times});
    return this;
  }

  /** The next {@code times} requests answer 429 for the ten-second policy, with no remaining budget. */
  public Faults rateLimitBurst(int times) {
    rateLimitBurst.set(times);
    return this;
  }

  /** Every request (or the next {@code times}, when positive) waits {@code millis} before answering. */
  public Faults slow(long millis, int times) {
    slowMillis.set(millis);
    slowCount.set(times <= 0 ? Integer.MAX_VALUE : times);
    return this;
  }

  public Faults slow(long millis) {
    return slow(millis, 0);
  }

  /** The next {@code times} successful responses carry a truncated JSON body. */
  public Faults malformedBody(int times) {
    malformed.set(times);
    return this;
  }

  /**
   * Serves record {@code id} of {@code objectType} with {@code property} set to the raw JSON
   * {@code jsonValue} (for example {@code {"nested":1}} or {@code 42}) instead of a string, as a
   * misbehaving integration could leave it.
   */
  public Faults wrongTypedProperty(String objectType, String id, String property, String jsonValue) {
    wrongTyped.put(objectType + "/" + id + "/" + property, jsonValue);
    return this;
  }

  /**
   * Makes batch upserts refuse the whole batch with a 400 when any input is invalid (as HubSpot's
   * batch create does without trace ids), instead of answering 207 with per-input errors.
   */
  public Faults refuseWholeBatchOnInvalidInput(boolean on) {
    wholeBatchRefusal = on;
    return this;
  }

  /** The next {@code times} requests to the webhooks journal API have their connection reset before an answer. */
  public Faults dropJournalConnection(int times) {
    journalDrops.set(times);
    return this;
  }

  /**
   * Lets every journal entry written so far expire, as three days without a read would: an offset a
   * reader stored then answers 404.
   */
  public Faults expireJournalPositions() {
    journal.expireAll();
    return this;
  }

  /**
   * The next {@code entries} journal entries are written but their files cannot be fetched (404
   * from storage): a stretch of events the reader cannot see, which it must re-read from the CRM.
   */
  public Faults journalGap(int entries) {
    journal.gaps(entries);
    return this;
  }

  void journal(ChangeJournal j) {
    this.journal = j;
  }

  boolean takeJournalDrop() {
    return takeOne(journalDrops);
  }

  /** Switches every fault off. */
  public Faults reset() {
    failNext.set(new int[] {0, 0});
    rateLimitBurst.set(0);
    malformed.set(0);
    slowMillis.set(0);
    slowCount.set(0);
    wrongTyped.clear();
    wholeBatchRefusal = false;
    journalDrops.set(0);
    if (journal != null) {
      journal.gaps(0);
    }
    return this;
  }

  boolean wholeBatchRefusal() {
    return wholeBatchRefusal;
  }

  Optional<Integer> takeFailure() {
    while (true) {
      var cur = failNext.get();
      if (cur[1] <= 0) {
        return Optional.empty();
      }
      if (failNext.compareAndSet(cur, new int[] {cur[0], cur[1] - 1})) {
        return Optional.of(cur[0]);
      }
    }
  }

  boolean takeRateLimit() {
    return takeOne(rateLimitBurst);
  }

  boolean takeMalformed() {
    return takeOne(malformed);
  }

  long takeDelay() {
    long ms = slowMillis.get();
    return ms > 0 && takeOne(slowCount) ? ms : 0;
  }

  Optional<String> wrongTyped(String objectType, String id, String property) {
    return wrongTyped.isEmpty() ? Optional.empty()
        : Optional.ofNullable(wrongTyped.get(objectType + "/" + id + "/" + property));
  }

  Map<String, String> wrongTypedFor(String objectType, String id) {
    if (wrongTyped.isEmpty()) {
      return Map.of();
    }
    var prefix = objectType + "/" + id + "/";
    var out = new java.util.HashMap<String, String>();
    wrongTyped.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.put(k.substring(prefix.length()), v);
      }
    });
    return out;
  }

  private static boolean takeOne(AtomicInteger counter) {
    return counter.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
  }
}
