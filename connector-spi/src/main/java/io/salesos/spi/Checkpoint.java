package io.salesos.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where a pull stopped: an opaque set of string values the connector defines and core stores,
 * like a Kafka Connect source offset (for example a modification stamp and the last id seen at
 * it).
 */
public record Checkpoint(Map<String, String> values) {

  public static final Checkpoint INITIAL = new Checkpoint(Map.of());

  public Checkpoint {
    values = Map.copyOf(new TreeMap<>(Objects.requireNonNull(values, "values")));
  }

  public static Checkpoint of(Map<String, String> values) {
    return new Checkpoint(values);
  }

  public boolean isInitial() {
    return values.isEmpty();
  }

  public Optional<String> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  /** A copy with one value set (or removed when {@code value} is null). */
  public Checkpoint with(String key, String value) {
    var copy = new TreeMap<>(values);
    if (value == null) {
      copy.remove(key);
    } else {
      copy.put(key, value);
    }
    return new Checkpoint(copy);
  }
}
