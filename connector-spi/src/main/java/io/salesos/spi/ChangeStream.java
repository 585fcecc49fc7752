package io.salesos.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A CRM's own change stream (HubSpot's webhooks journal, Salesforce Change Data Capture), read
 * from a position the connector defines and core stores in the mirror in the same transaction as
 * the changes read before it, so a crash replays from the last applied position and never skips.
 * Optional: a connector without one is polled as before, and the poll stays as the safety net of
 * one that has one.
 *
 * <p>When the stream cannot say what changed after a position (the position expired, the stream
 * lost events, it overflowed), {@link #read} answers a {@link StreamBatch#interruption()} and core
 * falls back to the keyset pull from the stored checkpoints, then resumes from a fresh {@link
 * #head()} taken before that pull.
 */
public interface ChangeStream {

  /** The CRM objects (as the mapping names them) whose changes this stream carries; others are polled. */
  List<String> objects();

  /**
   * Prepares the stream for the objects a connection maps (for example creates the CRM-side
   * subscriptions it needs), doing nothing for what already exists.
   */
  default void subscribe(List<String> crmObjects) throws ConnectorException {}

  /**
   * The position at the head of the stream now: reading from it returns only changes made after
   * this call (it may also return a few made just before; applying those again is harmless).
   */
  StreamPosition head() throws ConnectorException;

  /**
   * The changes after {@code from}, at most about {@code maxEntries} stream entries, resolved into
   * records with {@code fields} (per CRM object) by reading them by id from the CRM where the
   * stream names only ids or changed fields. Empty records and the same position when nothing is
   * new.
   */
  StreamBatch read(StreamPosition from, Map<String, List<String>> fields, int maxEntries) throws ConnectorException;

  /**
   * As {@link #read(StreamPosition, Map, int)}, leaving out the echoes of salesos's own writes: a
   * record whose events in this read all name a field value {@code own} recognises as salesos's last
   * write to it is not read again by id and not returned (its position is still passed). A stream
   * whose events carry no values reads as the three-argument method does.
   */
  default StreamBatch read(StreamPosition from, Map<String, List<String>> fields, int maxEntries, OwnWrites own)
      throws ConnectorException {
    return read(from, fields, maxEntries);
  }

  /** Recognises salesos's own writes in a stream's events, from core's write journal. */
  @FunctionalInterface
  interface OwnWrites {

    /** Whether {@code value} of {@code crmField} on the record is what salesos last wrote there. */
    boolean written(String crmObject, String id, String crmField, String value);

    /** Recognises nothing: every named record is read. */
    OwnWrites NONE = (crmObject, id, crmField, value) -> false;
  }

  /** Why a stream cannot continue from a position: core then pulls from the checkpoints instead. */
  record Interruption(Kind kind, String reason) {

    /** A lost stretch of events, an overflow of the stream's own buffer, a position the CRM no longer keeps. */
    public enum Kind { GAP, OVERFLOW, EXPIRED }

    public Interruption {
      java.util.Objects.requireNonNull(kind, "kind");
      java.util.Objects.requireNonNull(reason, "reason");
    }
  }

  /** What an optional stream of a connector returns when it has none. */
  static Optional<ChangeStream> none() {
    return Optional.empty();
  }
}
