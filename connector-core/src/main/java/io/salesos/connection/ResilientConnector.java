package io.salesos.connection;

import io.salesos.spi.FieldPreparation;
import io.salesos.spi.FieldSpec;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.salesos.spi.ApiBudget;
import io.salesos.spi.Connector;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.CrmSchema;
import io.salesos.spi.PullBatch;
import io.salesos.spi.PullRequest;
import io.salesos.spi.RawRecord;
import io.salesos.spi.Write;
import io.salesos.spi.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps any connector with the same protection: a rate limiter sized to the CRM's published
 * limits that also slows down as the CRM's reported budget runs low, retries with backoff that
 * waits as long as the CRM said (Retry-After, the rate-limit interval), a circuit breaker, and a
 * bulkhead. Retrying a write is safe because every write carries an idempotency key.
 *
 * <p>A connector that is not safe to call from two threads ({@link Connector#concurrentCalls()}
 * false) is called one call at a time here, whichever scheduled job (pull, push, reconcile) makes
 * the call; a call waits for the one under way, and a retry's backoff does not hold the turn.
 */
public final class ResilientConnector implements Connector {

  private static final Logger log = LoggerFactory.getLogger(ResilientConnector.class);

  private final Connector delegate;
  private final ResilienceSettings settings;
  private final RateLimiter rateLimiter;
  private final Retry retry;
  private final CircuitBreaker circuitBreaker;
  private final Bulkhead bulkhead;
  private final AtomicLong waitedMillis = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  /** Held around each attempt when the delegate is not thread-safe; fair, so no job starves. */
  private final Optional<ReentrantLock> oneAtATime;

  public ResilientConnector(Connector delegate, ResilienceSettings settings) {
    this.delegate = delegate;
    this.settings = settings;
    this.oneAtATime = delegate.concurrentCalls() ? Optional.empty() : Optional.of(new ReentrantLock(true));
    var name = delegate.name();
    this.rateLimiter = RateLimiter.of(name, RateLimiterConfig.custom()
        .limitForPeriod(settings.requestsPerWindow())
        .limitRefreshPeriod(settings.window())
        .timeoutDuration(settings.window().multipliedBy(6))
        .build());
    this.retry = Retry.of(name, RetryConfig.<Object>custom()
        .maxAttempts(settings.maxAttempts())
        .retryOnException(ResilientConnector::retryable)
        .intervalBiFunction(interval())
        .failAfterMaxAttempts(false)
        .build());
    this.retry.getEventPublisher().onRetry(e -> {
      retries.incrementAndGet();
      waitedMillis.addAndGet(e.getWaitInterval().toMillis());
      log.info("event=crm_retry connection={} attempt={} wait_ms={} reason={}", name, e.getNumberOfRetryAttempts(),
          e.getWaitInterval().toMillis(), e.getLastThrowable() == null ? "" : e.getLastThrowable().getMessage());
    });
    this.circuitBreaker = CircuitBreaker.of(name, CircuitBreakerConfig.custom()
        .failureRateThreshold(settings.failureRateThreshold())
        .minimumNumberOfCalls(settings.minimumCalls())
        .slidingWindowSize(Math.max(settings.minimumCalls(), 20))
        .waitDurationInOpenState(settings.openStateWait())
        .permittedNumberOfCallsInHalfOpenState(2)
        // a CRM that says "slow down" or "bad request" is healthy; only outages open the breaker
        .recordException(e -> e instanceof ConnectorException ce && ce.kind() == ConnectorException.Kind.TRANSIENT)
        .build());
    this.circuitBreaker.getEventPublisher().onStateTransition(e ->
        log.warn("event=circuit_breaker connection={} transition={}", name, e.getStateTransition()));
    this.bulkhead = Bulkhead.of(name, BulkheadConfig.custom()
        .maxConcurrentCalls(settings.maxConcurrentCalls())
        .maxWaitDuration(Duration.ofMinutes(2))
        .build());
  }

  private static boolean retryable(Throwable e) {
    return (e instanceof ConnectorException ce && ce.retryable())
        || e instanceof CallNotPermittedException || e instanceof RequestNotPermitted || e instanceof BulkheadFullException;
  }

  private IntervalBiFunction<Object> interval() {
    return (attempt, either) -> {
      long backoff = Math.min(settings.maxBackoff().toMillis(),
          settings.baseBackoff().toMillis() * (1L << Math.min(20, attempt - 1)));
      // jitter spreads several daemons' retries apart
      backoff += (long) (backoff * 0.2 * Math.random());
      if (either.isLeft()) {
        var e = either.getLeft();
        if (e instanceof ConnectorException ce && ce.retryAfterMillis() > 0) {
          return Math.max(ce.retryAfterMillis(), settings.baseBackoff().toMillis());
        }
        if (e instanceof CallNotPermittedException) {
          return Math.max(backoff, settings.openStateWait().toMillis());
        }
      }
      return backoff;
    };
  }

  private <T> T call(String what, CheckedSupplier<T> body) throws ConnectorException {
    pauseWhenBudgetRunsLow();
    CheckedSupplier<T> guarded = Bulkhead.decorateCheckedSupplier(bulkhead,
        RateLimiter.decorateCheckedSupplier(rateLimiter,
            CircuitBreaker.decorateCheckedSupplier(circuitBreaker, inTurn(body))));
    try {
      return Retry.decorateCheckedSupplier(retry, guarded).get();
    } catch (ConnectorException e) {
      throw e;
    } catch (CallNotPermittedException e) {
      throw new ConnectorException(ConnectorException.Kind.TRANSIENT,
          delegate.name() + ": " + what + " not tried: the CRM failed repeatedly and the circuit breaker is open", e);
    } catch (RequestNotPermitted | BulkheadFullException e) {
      throw new ConnectorException(ConnectorException.Kind.TRANSIENT, delegate.name() + ": " + what + " waited too long for its turn", e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new ConnectorException(ConnectorException.Kind.TRANSIENT, delegate.name() + ": " + what + " failed: " + e.getMessage(), e);
    }
  }

  /** The call, made while holding the turn when the delegate must be called one call at a time. */
  private <T> CheckedSupplier<T> inTurn(CheckedSupplier<T> body) {
    if (oneAtATime.isEmpty()) {
      return body;
    }
    var lock = oneAtATime.get();
    return () -> {
      lock.lock();
      try {
        return body.get();
      } finally {
        lock.unlock();
      }
    };
  }

  /**
   * Slows down before the CRM says no: when the CRM reports the short window nearly spent, wait
   * for a share of the window; when the daily budget is nearly spent, pace calls out.
   */
  private void pauseWhenBudgetRunsLow() {
    ApiBudget b = delegate.limits();
    long pause = 0;
    if (b.windowRemaining().isPresent() && b.windowLimit().isPresent() && b.windowLimit().getAsLong() > 0) {
      double left = (double) b.windowRemaining().getAsLong() / b.windowLimit().getAsLong();
      if (left < 1 - settings.slowDownAtShareUsed()) {
        pause = Math.max(pause, (long) (b.window().toMillis() * (1 - left * 10) / 2));
      }
    }
    if (b.dailyShareUsed() > settings.slowDownAtShareUsed()) {
      pause = Math.max(pause, 1000);
    }
    if (pause > 0) {
      waitedMillis.addAndGet(pause);
      log.info("event=crm_budget_pause connection={} pause_ms={} daily_used={}", delegate.name(), pause,
          String.format("%.3f", b.dailyShareUsed()));
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public CrmSchema describe() throws ConnectorException {
    return call("describe", delegate::describe);
  }

  @Override
  public Optional<io.salesos.spi.CurrencySettings> currencies() throws ConnectorException {
    return call("currencies", delegate::currencies);
  }

  @Override
  public java.util.Optional<io.salesos.spi.StageVocabulary> stageVocabulary() throws ConnectorException {
    return call("stage vocabulary", delegate::stageVocabulary);
  }

  @Override
  public PullBatch pull(PullRequest request) throws ConnectorException {
    return call("pull " + request.crmObject(), () -> delegate.pull(request));
  }

  @Override
  public List<WriteResult> push(String crmObject, List<Write> writes) throws ConnectorException {
    return call("push " + crmObject, () -> delegate.push(crmObject, writes));
  }

  @Override
  public Optional<List<RawRecord>> read(String crmObject, List<String> fields, List<String> ids)
      throws ConnectorException {
    return call("read " + crmObject, () -> delegate.read(crmObject, fields, ids));
  }

  /** The delegate's stream: the follower retries a failed read at its next step, so no retry here. */
  @Override
  public Optional<io.salesos.spi.ChangeStream> changeStream() {
    return delegate.changeStream();
  }

  @Override
  public Optional<io.salesos.spi.CrmCalendar> calendar() throws ConnectorException {
    return call("calendar", delegate::calendar);
  }

  @Override
  public boolean concurrentCalls() {
    return delegate.concurrentCalls();
  }

  @Override
  public int maxWriteBatch() {
    return delegate.maxWriteBatch();
  }

  @Override
  public ApiBudget limits() {
    return delegate.limits();
  }

  /** Total milliseconds spent waiting on retries and budget pauses (for metrics and tests). */
  public long waitedMillis() {
    return waitedMillis.get();
  }

  public long retries() {
    return retries.get();
  }

  public CircuitBreaker.State circuitState() {
    return circuitBreaker.getState();
  }

  public Connector delegate() {
    return delegate;
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public java.util.Optional<String> fieldMismatch(FieldSpec needed, CrmSchema.CrmField found) {
    return delegate.fieldMismatch(needed, found);
  }

  @Override
  public java.util.Optional<io.salesos.model.FieldType> canonicalType(CrmSchema.CrmField field) {
    return delegate.canonicalType(field);
  }

  // schema changes are not idempotent in every CRM (a retried create may meet its own first try),
  // so they pass the rate limiter and breaker but are never retried here
  @Override
  public FieldPreparation createFields(List<FieldSpec> fields) throws ConnectorException {
    return once("create fields", () -> delegate.createFields(fields));
  }

  @Override
  public FieldPreparation writeFieldPackage(List<FieldSpec> fields, java.nio.file.Path dir)
      throws ConnectorException {
    return delegate.writeFieldPackage(fields, dir);
  }

  private <T> T once(String what, CheckedSupplier<T> body) throws ConnectorException {
    try {
      return RateLimiter.decorateCheckedSupplier(rateLimiter, CircuitBreaker.decorateCheckedSupplier(circuitBreaker, inTurn(body))).get();
    } catch (ConnectorException e) {
      throw e;
    } catch (CallNotPermittedException | RequestNotPermitted e) {
      throw new ConnectorException(ConnectorException.Kind.TRANSIENT, delegate.name() + ": " + what + " not tried: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new ConnectorException(ConnectorException.Kind.TRANSIENT, delegate.name() + ": " + what + " failed: " + e.getMessage(), e);
    }
  }
}
