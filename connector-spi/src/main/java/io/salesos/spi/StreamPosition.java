package io.salesos.spi;

import java.util.Objects;

/**
 * Where a change stream was read up to: an opaque value the connector defines (a journal offset, a
 * replay id) and core stores. {@link #START} means "from the earliest entry the CRM still keeps".
 */
public record StreamPosition(String value) {

  public static final StreamPosition START = new StreamPosition("");

  public StreamPosition {
    Objects.requireNonNull(value, "value");
    if (value.length() > 512) {
      throw new IllegalArgumentException("a stream position is at most 512 characters, was " + value.length());
    }
  }

  public boolean isStart() {
    return value.isEmpty();
  }

  @Override
  public String toString() {
    return isStart() ? "(start)" : value;
  }
}
