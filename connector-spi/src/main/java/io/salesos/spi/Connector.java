package io.salesos.spi;

import java.util.List;
import java.util.Optional;

/**
 * One live connection to a CRM: the single seam between salesos and a CRM, small like Kafka
 * Connect's SourceTask/SinkTask.
 *
 * <p>A connector is a transport: it reads and writes CRM-native field names and values. Core
 * applies the field mapping, typing, quarantine, retries, rate limits, checkpoints and journal
 * around it, the same for every CRM. Implementations are not required to be thread-safe: unless
 * {@link #concurrentCalls()} says otherwise, core calls one connector from one thread at a time.
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

  /**
   * The current values of some records, read by id from the CRM's primary store (not from a search
   * index or replica that may lag), with the same fields and shapes a {@link #pull} returns. Ids
   * the CRM no longer has are left out. Core reads the records a push is about to update, so an
   * edit made in the CRM a moment ago is still seen as a conflict. Empty when the connector cannot
   * read by id; core then relies on an incremental pull.
   */
  default Optional<List<RawRecord>> read(String crmObject, List<String> fields, List<String> ids)
      throws ConnectorException {
    return Optional.empty();
  }

  /**
   * The CRM's change stream, when this connector can read one (see {@link ChangeStream}); empty,
   * the default, keeps the connector polled only. Core calls the stream from one thread at a time.
   */
  default Optional<ChangeStream> changeStream() {
    return Optional.empty();
  }

  /**
   * Whether core may call this connector from several threads at once: pulls of different
   * objects side by side (never two pulls of one object), a push while a pull is under way. A
   * connector whose calls share mutable state (an open result stream, a login in progress) keeps
   * the default, false, and core then makes every call wait for the one under way to end.
   */
  default boolean concurrentCalls() {
    return false;
  }

  /**
   * The org's calendar as the CRM keeps it: where its fiscal year starts and its default time zone.
   * Empty when the connector cannot tell; core then counts calendar quarters (January) unless the
   * rules say otherwise.
   */
  default Optional<CrmCalendar> calendar() throws ConnectorException {
    return Optional.empty();
  }

  /**
   * The org's currencies and exchange rates, read from the CRM now, or empty when the org keeps one
   * currency (Salesforce without multi-currency, a HubSpot account with only its company currency):
   * amounts are then taken as they are. Core calls it about once every quarter hour per connection.
   */
  default Optional<CurrencySettings> currencies() throws ConnectorException {
    return Optional.empty();
  }

  /**
   * The deal stages the CRM defines (every pipeline with its stages, order, default probability,
   * closed and won), read from the CRM each time it is called. Empty when this connector cannot read
   * them; core then holds the connection to the stages its mapping names.
   */
  default Optional<StageVocabulary> stageVocabulary() throws ConnectorException {
    return Optional.empty();
  }

  /** The largest number of writes one {@link #push} call may carry (Salesforce 200, HubSpot 100). */
  int maxWriteBatch();

  /** The API budget as the CRM last reported it. */
  ApiBudget limits();

  @Override
  default void close() {}

  /**
   * The canonical type a field of this CRM is mirrored as (Salesforce {@code currency} as a
   * decimal, HubSpot {@code datetime} as a datetime...), used to type the columns of the objects an
   * admin maps as a whole (custom objects); empty when the connector does not know the type, and
   * the field is then not mirrored.
   */
  default java.util.Optional<io.salesos.model.FieldType> canonicalType(CrmSchema.CrmField field) {
    return java.util.Optional.empty();
  }

  // ---- optional: the fields salesos writes (`salesos schema verify|prepare`) ----

  /**
   * Why {@code found}, an existing CRM field, cannot hold what {@code needed} asks for (for
   * example "found checkbox, needs a picklist or text"), or empty when it can. A connector that
   * cannot tell accepts every field.
   */
  default java.util.Optional<String> fieldMismatch(FieldSpec needed, CrmSchema.CrmField found) {
    return java.util.Optional.empty();
  }

  /**
   * Creates the custom fields {@code fields} in the CRM (a field that already exists is left as
   * it is and reported {@link FieldCreation.Outcome#EXISTED}), returning one result per field in
   * order and the steps a person still has to take. Connectors that cannot change the CRM's schema
   * throw a {@link ConnectorException.Kind#PERMANENT} exception.
   */
  default FieldPreparation createFields(List<FieldSpec> fields) throws ConnectorException {
    throw new ConnectorException(ConnectorException.Kind.PERMANENT, name()
        + ": this connector cannot create fields; create them in the CRM's setup pages");
  }

  /**
   * Writes {@code fields} as a package an admin deploys with the CRM's own tools into the
   * directory {@code dir}, changing nothing in the CRM, and returns the exact steps to deploy it.
   * Connectors whose CRM has no such format throw a {@link ConnectorException.Kind#PERMANENT}
   * exception.
   */
  default FieldPreparation writeFieldPackage(List<FieldSpec> fields, java.nio.file.Path dir)
      throws ConnectorException {
    throw new ConnectorException(ConnectorException.Kind.PERMANENT, name()
        + ": this CRM has no deployable package format; run `salesos schema prepare` without --package-dir, or create"
        + " the fields in its setup pages");
  }
}
