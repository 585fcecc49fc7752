package io.salesos.spi;

import java.util.List;

/**
 * One live connection to a CRM: the single seam between salesos and a CRM, small like Kafka
 * Connect's SourceTask/SinkTask.
 *
 * <p>A connector is a transport: it reads and writes CRM-native field names and values. Core
 * applies the field mapping, typing, quarantine, retries, rate limits, checkpoints and journal
 * around it, the same for every CRM. Implementations are not required to be thread-safe; core
 * calls one connector from one thread at a time.
 */
public interface Connector extends AutoCloseable {

  /** The connection's name from the configuration, e.g. {@code salesforce} or {@code hs-prod}. */
  String name();

  /** The CRM's objects and fields as this connector sees them (used to validate mappings). */
  CrmSchema describe() throws ConnectorException;

  /**
   * The next batch of changes of one CRM object after {@code request.checkpoint()}: changed
   * records, deletions, records that could not be read, and the checkpoint that follows them.
   * Core stores that checkpoint in the same transaction as the batch, so a crash replays at most
   * this batch. An empty checkpoint means an initial load.
   */
  PullBatch pull(PullRequest request) throws ConnectorException;

  /**
   * Writes to one CRM object, at most {@link #maxWriteBatch()} at a time, returning exactly one
   * result per write in input order. A failing write fails only its own result.
   */
  List<WriteResult> push(String crmObject, List<Write> writes) throws ConnectorException;

  /** The largest number of writes one {@link #push} call may carry (Salesforce 200, HubSpot 100). */
  int maxWriteBatch();

  /** The API budget as the CRM last reported it. */
  ApiBudget limits();

  @Override
  default void close() {}
}
