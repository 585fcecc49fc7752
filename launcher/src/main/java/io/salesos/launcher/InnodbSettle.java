package io.salesos.launcher;

import io.salesos.mirror.EmbeddedMariaDb;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Brings the bench's MariaDB to rest before a timed phase: the pages the previous phase dirtied
 * (a load, a ceiling, a dropped schema) are flushed now, untimed, instead of by the page cleaner
 * during whichever phase is measured next. Both the load and the ceiling start from this state,
 * so neither pays for the other's writes.
 */
final class InnodbSettle {

  /** At rest: this few dirty pages (1 MB) left, as background work may always dirty a few. */
  static final long AT_REST_PAGES = 64;

  /** Longest wait; a server that cannot flush in this time is measured as it is, and the bench says so. */
  static final long MAX_WAIT_MILLIS = 120_000;

  private InnodbSettle() {}

  static void settle(String jdbcUrl, EmbeddedMariaDb.Credentials admin) throws SQLException, InterruptedException {
    try (var c = DriverManager.getConnection(jdbcUrl, admin.user(), admin.password())) {
      double was = globalDouble(c, "innodb_max_dirty_pages_pct");
      long t0 = System.currentTimeMillis();
      long dirty;
      try {
        // 0: the page cleaner flushes every dirty page at its full rate
        c.createStatement().execute("SET GLOBAL innodb_max_dirty_pages_pct = 0");
        while ((dirty = statusLong(c, "Innodb_buffer_pool_pages_dirty")) > AT_REST_PAGES && System.currentTimeMillis() - t0 < MAX_WAIT_MILLIS) {
          Thread.sleep(100);
        }
      } finally {
        c.createStatement().execute("SET GLOBAL innodb_max_dirty_pages_pct = " + was);
      }
      if (dirty > AT_REST_PAGES) {
        System.out.printf("  (MariaDB still had %d dirty pages after %d s; measuring anyway)%n", dirty, MAX_WAIT_MILLIS / 1000);
      }
    }
  }

  private static double globalDouble(Connection c, String variable) throws SQLException {
    try (var rs = c.createStatement().executeQuery("SELECT @@GLOBAL." + variable)) {
      rs.next();
      return rs.getDouble(1);
    }
  }

  private static long statusLong(Connection c, String name) throws SQLException {
    try (var ps = c.prepareStatement("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = ?")) {
      ps.setString(1, name.toUpperCase());
      try (var rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }
}
