package io.salesos.schedule;

import java.io.ObjectInputFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Java deserialization may build in this process. salesos itself serializes nothing, and
 * Quartz keeps job data as properties ({@code useProperties}); the only reader left is Quartz's,
 * for trigger and calendar blobs in its tables. Someone who can write those rows must not be able
 * to make the daemon build arbitrary classes from them (a deserialization gadget), so only
 * Quartz's own types and plain JDK values are accepted, in bounded size and depth.
 */
public final class SerialFilter {

  private static final Logger log = LoggerFactory.getLogger(SerialFilter.class);

  /** The accepted classes and limits, as a {@code jdk.serialFilter} pattern: anything else is rejected. */
  public static final String PATTERN = "maxdepth=20;maxrefs=100000;maxbytes=10000000;maxarray=100000;"
      + "java.lang.*;java.util.*;java.math.*;java.time.*;org.quartz.**;!*";

  public static final ObjectInputFilter FILTER = ObjectInputFilter.Config.createFilter(PATTERN);

  private SerialFilter() {}

  /**
   * Makes {@link #FILTER} the process-wide filter, unless the operator set one already (with
   * {@code -Djdk.serialFilter=...}, which then stands).
   */
  public static void installProcessWide() {
    if (ObjectInputFilter.Config.getSerialFilter() != null) {
      log.info("event=serial_filter source=jdk.serialFilter");
      return;
    }
    ObjectInputFilter.Config.setSerialFilter(FILTER);
  }
}
