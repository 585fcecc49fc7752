package io.salesos.launcher;

import io.salesos.mirror.EmbeddedMariaDb;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ceiling of an initial load on this machine: the rows one load wrote (its mirror tables and
 * record_history) inserted again, by plain batched JDBC, into fresh copies of those tables.
 *
 * <p>No CRM, sandbox or mapping: rows are read back from the load's schema in rounds (untimed, so
 * 1M-record loads fit a 512 MB heap) and each round is inserted by {@code threads} connections, one
 * transaction per batch of {@code batch} rows of one table, as the mirror commits per pull batch.
 * Only the insert phases are timed and charged CPU.
 */
record JdbcCeiling(String serverUrl, EmbeddedMariaDb.Credentials login, int threads, int batch) {

  /** What one ceiling pass inserted and what it cost. */
  record Result(long records, long rows, double seconds, BenchSyncCommand.CpuTimes cpu) {

    double recordsPerSecond() {
      return records / seconds;
    }
  }

  private record Batch(String sql, List<Object[]> rows) {}

  /**
   * Copies the mirror rows of {@code sourceSchema} into a new schema made with CREATE TABLE LIKE
   * (same columns, keys, charset and collation as the mirror made them), then drops that schema.
   */
  Result measure(String sourceSchema, Process sandbox) throws Exception {
    var target = "ceiling_" + System.nanoTime();
    try (var admin = connect("salesos")) {
      var tables = new ArrayList<String>();
      // mirror tables and record_history are the tables with a row_hash: what a load writes per record
      try (var ps = admin.prepareStatement("SELECT DISTINCT table_name FROM information_schema.columns"
          + " WHERE table_schema = ? AND column_name = 'row_hash' ORDER BY table_name")) {
        ps.setString(1, sourceSchema);
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            tables.add(rs.getString(1));
          }
        }
      }
      try (var st = admin.createStatement()) {
        st.execute("CREATE DATABASE `" + target + "` CHARACTER SET utf8mb4");
        for (var t : tables) {
          st.execute("CREATE TABLE `" + target + "`.`" + t + "` LIKE `" + sourceSchema + "`.`" + t + "`");
        }
      }
      try {
        return copy(admin, sourceSchema, target, tables, sandbox);
      } finally {
        try (var st = admin.createStatement()) {
          st.execute("DROP DATABASE `" + target + "`");
        }
      }
    }
  }

  private Result copy(Connection reader, String source, String target, List<String> tables, Process sandbox) throws Exception {
    // the reader's result stream waits, unread, while each round is inserted: on a busy machine a
    // round takes longer than the server's net_write_timeout (60 s), which then drops the reader
    try (var st = reader.createStatement()) {
      st.execute("SET SESSION net_write_timeout = 3600");
    }
    var writers = new ArrayList<Connection>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int i = 0; i < threads; i++) {
        var c = connect(target);
        c.setAutoCommit(false);
        writers.add(c);
      }
      // a round holds at most this much row data, so the read-back never needs the whole load in memory
      long budget = Runtime.getRuntime().maxMemory() / 6;
      var round = new ArrayList<Batch>();
      long bytes = 0;
      long records = 0;
      long rows = 0;
      double seconds = 0;
      var cpu = new BenchSyncCommand.CpuTimes(0, 0, 0);
      for (var table : tables) {
        try (var st = reader.createStatement()) {
          st.setFetchSize(batch); // streams the rows instead of buffering the table in the driver
          try (var rs = st.executeQuery("SELECT * FROM `" + source + "`.`" + table + "`")) {
            var meta = rs.getMetaData();
            int n = meta.getColumnCount();
            var cols = new StringBuilder();
            var marks = new StringBuilder();
            for (int i = 1; i <= n; i++) {
              cols.append(i > 1 ? ", " : "").append('`').append(meta.getColumnName(i)).append('`');
              marks.append(i > 1 ? ", ?" : "?");
            }
            var sql = "INSERT INTO `" + table + "` (" + cols + ") VALUES (" + marks + ")";
            var current = new ArrayList<Object[]>(batch);
            while (rs.next()) {
              var row = new Object[n];
              bytes += 16 + 8L * n;
              for (int i = 0; i < n; i++) {
                row[i] = rs.getObject(i + 1);
                bytes += row[i] instanceof String s ? 40 + 2L * s.length() : 24;
              }
              current.add(row);
              rows++;
              if (!table.equals("record_history")) {
                records++;
              }
              if (current.size() == batch) {
                round.add(new Batch(sql, current));
                current = new ArrayList<>(batch);
              }
              if (bytes >= budget) {
                if (!current.isEmpty()) {
                  round.add(new Batch(sql, current));
                  current = new ArrayList<>(batch);
                }
                var cpu0 = BenchSyncCommand.CpuTimes.now(sandbox);
                seconds += insert(round, writers, pool);
                cpu = cpu.plus(BenchSyncCommand.CpuTimes.now(sandbox).minus(cpu0));
                round.clear();
                bytes = 0;
              }
            }
            if (!current.isEmpty()) {
              round.add(new Batch(sql, current));
            }
          }
        }
      }
      if (!round.isEmpty()) {
        var cpu0 = BenchSyncCommand.CpuTimes.now(sandbox);
        seconds += insert(round, writers, pool);
        cpu = cpu.plus(BenchSyncCommand.CpuTimes.now(sandbox).minus(cpu0));
      }
      return new Result(records, rows, seconds, cpu);
    } finally {
      pool.shutdownNow();
      for (var c : writers) {
        c.close();
      }
    }
  }

  /** Inserts the round's batches with every writer taking the next batch; returns the wall-clock seconds. */
  private static double insert(List<Batch> round, List<Connection> writers, ExecutorService pool) throws Exception {
    var queue = new ConcurrentLinkedQueue<>(round);
    long t0 = System.nanoTime();
    var done = new ArrayList<Future<?>>();
    for (var c : writers) {
      done.add(pool.submit(() -> {
        Batch b;
        while ((b = queue.poll()) != null) {
          try (var ps = c.prepareStatement(b.sql())) {
            for (var row : b.rows()) {
              for (int i = 0; i < row.length; i++) {
                ps.setObject(i + 1, row[i]);
              }
              ps.addBatch();
            }
            ps.executeBatch();
          }
          c.commit();
        }
        return null;
      }));
    }
    for (var f : done) {
      f.get();
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Same driver settings as the mirror's pool (Database.pool): bulk and rewritten batches, UTC, utf8mb4. */
  private Connection connect(String schema) throws SQLException {
    var c = DriverManager.getConnection(serverUrl + schema + "?connectionTimeZone=UTC&forceConnectionTimeZoneToSession=true"
        + "&useBulkStmts=true&rewriteBatchedStatements=true", login.user(), login.password());
    try (var st = c.createStatement()) {
      st.execute("SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci, time_zone = '+00:00'");
    }
    return c;
  }
}
