package io.salesos.salesforce.sandbox;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The fault injection handle of one sandbox: what the next API calls should suffer (faults, lock
 * contention, slowness, broken XML, a wrong-typed value, Bulk batches held in Queued) and the daily
 * request budget, and the Bulk jobs the org has seen. Login and token calls are never failed by
 * it, except through a wrong password.
 */
public final class SandboxFaults {

  /** A whole-call failure queued for the next API calls. */
  record Planned(String exceptionCode, int httpStatus) {}

  /** A Bulk job as the org saw it: its id, its object and every state it was in, oldest first. */
  public record BulkJobSeen(String id, String object, List<String> states) {

    public BulkJobSeen {
      states = List.copyOf(states);
    }

    public String state() {
      return states.get(states.size() - 1);
    }
  }

  private final Deque<Planned> planned = new ArrayDeque<>();
  private final AtomicInteger lockedCalls = new AtomicInteger();
  private final AtomicInteger malformed = new AtomicInteger();
  private final AtomicLong slowMillis = new AtomicLong();
  private final AtomicLong dailyLimit = new AtomicLong(100_000);
  private final AtomicLong used = new AtomicLong();
  private final AtomicInteger idLimit = new AtomicInteger(600_000);
  private final Map<String, String> wrongTyped = new ConcurrentHashMap<>();
  private volatile Runnable expireSessions = () -> {};
  private volatile Runnable expireLocators = () -> {};
  private volatile boolean bulkHeldQueued;
  private volatile Supplier<List<BulkJobSeen>> bulkJobs = List::of;

  private volatile ChangeEventBus changeEvents;

  void onChangeEvents(ChangeEventBus bus) {
    changeEvents = bus;
  }

  /** Ends every live Pub/Sub subscription with UNAVAILABLE, as a dropped connection does. */
  public SandboxFaults dropSubscriptions() {
    changeEvents.dropSubscriptions();
    return this;
  }

  /**
   * Purges the change events committed before {@code at} (all of them when none is later): a
   * subscription from a replay id among them fails with the replay-id error, as after 72 hours.
   */
  public SandboxFaults expireReplayIdsBefore(java.time.Instant at) {
    changeEvents.expireBefore(at);
    return this;
  }

  /** The next {@code n} changes publish gap events (GAP_CREATE, GAP_UPDATE, ...) instead of change events. */
  public SandboxFaults gapEvents(int n) {
    changeEvents.gapNext(n);
    return this;
  }

  /** Publishes an overflow event (GAP_OVERFLOW) for {@code entity} now. */
  public SandboxFaults overflowEvent(String entity) {
    changeEvents.overflow(entity);
    return this;
  }

  void onExpireSessions(Runnable r) {
    expireSessions = r;
  }

  void onExpireLocators(Runnable r) {
    expireLocators = r;
  }

  void onBulkJobs(Supplier<List<BulkJobSeen>> jobs) {
    bulkJobs = jobs;
  }

  /** Invalidates every live session: the next call with one gets INVALID_SESSION_ID. */
  public SandboxFaults expireSessions() {
    expireSessions.run();
    return this;
  }

  /** Invalidates every open query locator: queryMore gets INVALID_QUERY_LOCATOR. */
  public SandboxFaults expireQueryLocators() {
    expireLocators.run();
    return this;
  }

  /**
   * The next {@code calls} API calls fail as a whole with {@code exceptionCode}
   * (UNKNOWN_EXCEPTION, SERVER_UNAVAILABLE, UNABLE_TO_LOCK_ROW, INVALID_SESSION_ID,
   * REQUEST_LIMIT_EXCEEDED...) in the real SOAP fault envelope, HTTP 500.
   */
  public synchronized SandboxFaults failNext(String exceptionCode, int calls) {
    for (int i = 0; i < calls; i++) {
      planned.add(new Planned(exceptionCode, 500));
    }
    return this;
  }

  /** The next {@code calls} API calls get a bare HTTP {@code status} with an HTML body, as a proxy in front of the org would send. */
  public synchronized SandboxFaults httpErrorNext(int status, int calls) {
    for (int i = 0; i < calls; i++) {
      planned.add(new Planned(null, status));
    }
    return this;
  }

  /** The next {@code calls} DML calls fail every record with UNABLE_TO_LOCK_ROW. */
  public SandboxFaults lockRowsOnNext(int calls) {
    lockedCalls.addAndGet(calls);
    return this;
  }

  /** Every response waits this long first (0 to stop). */
  public SandboxFaults slow(Duration delay) {
    slowMillis.set(delay.toMillis());
    return this;
  }

  /** The next {@code calls} API responses are cut off mid-document (HTTP 200, broken XML). */
  public SandboxFaults malformedNext(int calls) {
    malformed.addAndGet(calls);
    return this;
  }

  /**
   * While on, every Bulk query batch stays Queued, as in an org whose asynchronous queue is
   * backed up; once off, a held batch runs at the next read of its status (unless its job was
   * aborted meanwhile: its batches are then NotProcessed).
   */
  public SandboxFaults holdBulkBatchesQueued(boolean hold) {
    bulkHeldQueued = hold;
    return this;
  }

  /** Every Bulk job created so far, in the order created, with the states each went through. */
  public List<BulkJobSeen> bulkJobs() {
    return bulkJobs.get();
  }

  /** Reads of {@code field} on record {@code id} return {@code rawValue} as-is, whatever the field's type. */
  public SandboxFaults wrongTypedField(String id, String field, String rawValue) {
    wrongTyped.put(IdMinter.normalize(id) + "." + field.toLowerCase(java.util.Locale.ROOT), rawValue);
    return this;
  }

  /** The org's daily API request limit; calls past it get REQUEST_LIMIT_EXCEEDED. */
  public SandboxFaults dailyLimit(long limit) {
    dailyLimit.set(limit);
    return this;
  }

  /** getUpdated/getDeleted fail with EXCEEDED_ID_LIMIT past this many ids (600,000 in Salesforce). */
  public SandboxFaults idLimit(int ids) {
    idLimit.set(ids);
    return this;
  }

  /** Clears every queued fault, slowness, wrong value and held Bulk batch (the budget and its use stay). */
  public synchronized SandboxFaults clear() {
    planned.clear();
    lockedCalls.set(0);
    malformed.set(0);
    slowMillis.set(0);
    wrongTyped.clear();
    bulkHeldQueued = false;
    return this;
  }

  public long requestsUsed() {
    return used.get();
  }

  public long requestLimit() {
    return dailyLimit.get();
  }

  /** Starts a new day: the used count goes back to 0. */
  public SandboxFaults resetUsage() {
    used.set(0);
    return this;
  }

  synchronized Optional<Planned> takePlanned() {
    return Optional.ofNullable(planned.poll());
  }

  boolean takeLock() {
    return lockedCalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
  }

  boolean takeMalformed() {
    return malformed.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
  }

  boolean bulkHeldQueued() {
    return bulkHeldQueued;
  }

  long slowMillis() {
    return slowMillis.get();
  }

  int idLimitValue() {
    return idLimit.get();
  }

  /** Counts one API request; false when the daily limit is already spent. */
  boolean countRequest() {
    if (used.get() >= dailyLimit.get()) {
      return false;
    }
    used.incrementAndGet();
    return true;
  }

  Optional<String> wrongTyped(String id, String field) {
    if (wrongTyped.isEmpty()) {
      return Optional.empty();
    }
    return Optional.ofNullable(wrongTyped.get(id + "." + field.toLowerCase(java.util.Locale.ROOT)));
  }
}
