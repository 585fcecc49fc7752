package io.salesos.salesforce;

import com.sforce.async.BatchInfo;
import com.sforce.async.BatchStateEnum;
import com.sforce.async.ContentType;
import com.sforce.async.JobInfo;
import com.sforce.async.OperationEnum;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.ConnectorException.Kind;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Bulk API 1.0 query jobs of initial loads, from creation to their result files: a job gets
 * its one batch and is closed at once, whatever happens to the batch; the batch is polled until it
 * ends or the timeout ({@code bulk_timeout_seconds}) passes, and a job given up on is aborted.
 *
 * <p>Each step is a call of its own holding the connector's turn, and the wait between polls
 * holds nothing, so pushes and other pulls to the org go on while a job sits in the org's queue.
 * A job under way is remembered per object: a pull that failed mid-wait (a transient error, a
 * session that died and was renewed) and is tried again polls the same job rather than starting a
 * second one and leaving the first behind.
 */
final class BulkQuery {

  private static final Logger log = LoggerFactory.getLogger(BulkQuery.class);
  private static final long FIRST_WAIT_MS = 200;
  private static final long MAX_WAIT_MS = 10_000;

  /** A job under way: what it reads, where its batch is, and when it was created (monotonic). */
  record Job(String object, String columns, String jobId, String batchId, Instant cutoff, long startedNanos) {}

  /** A completed job's result files, in order. */
  record Results(String jobId, String batchId, List<String> resultIds) {}

  private final String connection;
  private final SalesforceSession session;
  private final Turn turn;
  private final Duration timeout;
  private final Map<String, Job> underWay = new ConcurrentHashMap<>();

  BulkQuery(String connection, SalesforceSession session, Turn turn, Duration timeout) {
    this.connection = connection;
    this.session = session;
    this.turn = turn;
    this.timeout = timeout;
  }

  /**
   * The job already under way for {@code object} reading {@code columns}, if any. A job of the
   * object that reads other columns (the mapping changed between two tries) is aborted.
   */
  Optional<Job> underWay(String object, String columns) {
    var job = underWay.get(object);
    if (job == null) {
      return Optional.empty();
    }
    if (!job.columns().equals(columns)) {
      abort(job, "the object's mapped fields changed");
      return Optional.empty();
    }
    log.info("event=bulk_job_resumed connection={} object={} job={}", connection, object, job.jobId());
    return Optional.of(job);
  }

  /**
   * Creates a query job for {@code soql} with its one batch, and closes the job (no more batches)
   * on every path. Call holding the turn.
   */
  Job submit(String object, String columns, String soql, Instant cutoff) throws ConnectorException {
    var created = session.call("bulk job " + object, (p, b) -> {
      var info = new JobInfo();
      info.setObject(object);
      info.setOperation(OperationEnum.query);
      info.setContentType(ContentType.CSV);
      return b.createJob(info);
    });
    var jobId = created.getId();
    long started = System.nanoTime();
    String batchId;
    try {
      batchId = session.call("bulk batch " + object, (p, b) -> b.createBatchFromStream(created,
          new ByteArrayInputStream(soql.getBytes(StandardCharsets.UTF_8)))).getId();
    } finally {
      // a query job takes one batch; closed now, it is never left open, whether the batch went in or not
      close(object, jobId);
    }
    var job = new Job(object, columns, jobId, batchId, cutoff, started);
    underWay.put(object, job);
    log.info("event=bulk_job_created connection={} object={} job={} batch={}", connection, object, jobId, batchId);
    return job;
  }

  /**
   * Polls {@code job} until its batch ends, taking the turn for each poll and giving it back while
   * waiting. Call without holding the turn. A job that has not ended when the timeout passes, or
   * whose wait is interrupted, is aborted; a call that fails leaves the job under way for the next
   * try.
   */
  Results await(Job job) throws ConnectorException {
    long wait = FIRST_WAIT_MS;
    while (true) {
      BatchInfo info = turn.take(() -> session.call("bulk status " + job.object(),
          (p, b) -> b.getBatchInfo(job.jobId(), job.batchId())));
      var state = info.getState();
      if (state == BatchStateEnum.Completed) {
        var results = turn.take(() -> session.call("bulk result list " + job.object(),
            (p, b) -> b.getQueryResultList(job.jobId(), job.batchId()).getResult()));
        underWay.remove(job.object(), job);
        return new Results(job.jobId(), job.batchId(), Arrays.asList(results));
      }
      if (state != BatchStateEnum.Queued && state != BatchStateEnum.InProgress) {
        underWay.remove(job.object(), job);
        throw new ConnectorException(Kind.PERMANENT, "Bulk query job " + job.jobId() + " of " + job.object()
            + " ended " + state + ": " + info.getStateMessage() + "; the next pull starts a new one");
      }
      long left = timeout.toNanos() - (System.nanoTime() - job.startedNanos());
      if (left <= 0) {
        abort(job, "timed out");
        throw new ConnectorException(Kind.PERMANENT, "Bulk query job " + job.jobId() + " of " + job.object()
            + " was still " + state + " after " + timeout.toSeconds() + " s (bulk_timeout_seconds), so it was aborted;"
            + " the next pull starts a new one. Setup > Bulk Data Load Jobs in Salesforce shows the org's queue");
      }
      try {
        // elapsed time is measured on the monotonic clock: the wait is real, whatever the injected clock says
        TimeUnit.NANOSECONDS.sleep(Math.min(TimeUnit.MILLISECONDS.toNanos(wait), left));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        abort(job, "interrupted");
        throw new ConnectorException(Kind.TRANSIENT, "interrupted while waiting for Bulk query job " + job.jobId()
            + " of " + job.object() + "; the job was aborted", e);
      }
      wait = Math.min(MAX_WAIT_MS, wait * 2);
    }
  }

  /** Aborts every job under way (the connector is closing); never throws. */
  void abortAll(String why) {
    for (var job : List.copyOf(underWay.values())) {
      abort(job, why);
    }
  }

  /** Aborts {@code job} (its batch is not run further) and forgets it; a failure is logged, never thrown. */
  private void abort(Job job, String why) {
    underWay.remove(job.object(), job);
    try {
      turn.take(() -> session.call("bulk abort " + job.object(), (p, b) -> b.abortJob(job.jobId())));
      log.warn("event=bulk_job_aborted connection={} object={} job={} reason=\"{}\"", connection, job.object(),
          job.jobId(), why);
    } catch (ConnectorException e) {
      log.warn("event=bulk_abort_failed connection={} object={} job={} reason=\"{}\" error=\"{}\" action=\"abort it in"
          + " Setup > Bulk Data Load Jobs\"", connection, job.object(), job.jobId(), why, e.getMessage());
    }
  }

  private void close(String object, String jobId) {
    try {
      session.call("bulk close " + object, (p, b) -> b.closeJob(jobId));
    } catch (ConnectorException e) {
      log.warn("event=bulk_close_failed connection={} object={} job={} error=\"{}\"", connection, object, jobId,
          e.getMessage());
    }
  }
}
