package io.salesos.spi;

import java.util.List;
import java.util.Objects;

/**
 * One batch of changes from the CRM: records to upsert into the mirror, ids deleted in the CRM,
 * records that could not be read (they go to quarantine, the sync goes on), and the checkpoint
 * that follows all of them. {@code hasMore} says whether another pull right now would return more.
 */
public record PullBatch(
    List<RawRecord> records,
    List<Deletion> deletions,
    List<MalformedRecord> malformed,
    Checkpoint next,
    boolean hasMore) {

  public PullBatch {
    records = List.copyOf(Objects.requireNonNull(records, "records"));
    deletions = List.copyOf(Objects.requireNonNull(deletions, "deletions"));
    malformed = List.copyOf(Objects.requireNonNull(malformed, "malformed"));
    Objects.requireNonNull(next, "next");
  }

  public boolean isEmpty() {
    return records.isEmpty() && deletions.isEmpty() && malformed.isEmpty();
  }

  public int size() {
    return records.size() + deletions.size() + malformed.size();
  }
}
