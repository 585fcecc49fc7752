package io.salesos.spi;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one read of a change stream brought, per CRM object: the records as they are now (read by
 * id), the deletions, and for every record the CRM commit time of the change that named it (for
 * change-to-flag latency); the position after all of them; whether more entries wait; and an
 * interruption when the stream cannot go on from the position asked for (then records and
 * deletions hold what was read before it, and {@code next} is where that ended).
 */
public record StreamBatch(
    Map<String, List<RawRecord>> records,
    Map<String, List<Deletion>> deletions,
    Map<String, Instant> committedAt,
    StreamPosition next,
    boolean hasMore,
    int entries,
    Optional<ChangeStream.Interruption> interruption) {

  public StreamBatch {
    records = copyLists(Objects.requireNonNull(records, "records"));
    deletions = copyLists(Objects.requireNonNull(deletions, "deletions"));
    committedAt = Map.copyOf(Objects.requireNonNull(committedAt, "committedAt"));
    Objects.requireNonNull(next, "next");
    Objects.requireNonNull(interruption, "interruption");
    if (entries < 0) {
      throw new IllegalArgumentException("entries must not be negative, was " + entries);
    }
  }

  private static <T> Map<String, List<T>> copyLists(Map<String, List<T>> in) {
    var out = new java.util.LinkedHashMap<String, List<T>>();
    in.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return java.util.Collections.unmodifiableMap(out);
  }

  /** Nothing new after {@code at}. */
  public static StreamBatch empty(StreamPosition at) {
    return new StreamBatch(Map.of(), Map.of(), Map.of(), at, false, 0, Optional.empty());
  }

  /** The stream cannot continue from {@code at}. */
  public static StreamBatch interrupted(StreamPosition at, ChangeStream.Interruption why) {
    return new StreamBatch(Map.of(), Map.of(), Map.of(), at, false, 0, Optional.of(why));
  }

  public boolean isEmpty() {
    return records.values().stream().allMatch(List::isEmpty) && deletions.values().stream().allMatch(List::isEmpty);
  }

  /** The key of {@link #committedAt} for one record. */
  public static String key(String crmObject, String id) {
    return crmObject + "/" + id;
  }
}
