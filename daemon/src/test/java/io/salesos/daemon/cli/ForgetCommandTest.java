package io.salesos.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.cli.Main;
import io.salesos.mirror.Database;
import io.salesos.mirror.MirrorRecord;
import io.salesos.mirror.MirrorStore;
import io.salesos.model.CanonicalSchema;
import io.salesos.spi.Checkpoint;
import io.salesos.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code salesos forget} as an admin runs it on a GDPR request, against a deployment's database only. */
class ForgetCommandTest {

  @TempDir
  Path dir;

  String schema;
  Path config;

  private record Run(int exit, String out, String err) {}

  @BeforeEach
  void seed() throws Exception {
    schema = TestDatabases.newSchema();
    config = dir.resolve("salesos.yaml");
    // no connection at all: the verb opens the database and never a CRM
    Files.writeString(config, """
        database:
          url: "%s"
          user: %s
          password: {file: %s}
          pool_size: 2
        """.formatted(TestDatabases.jdbcUrl(schema), TestDatabases.user(), TestDatabases.passwordFile()));
    try (var db = Database.external(TestDatabases.jdbcUrl(schema), TestDatabases.user(), TestDatabases.password(), 2)) {
      var store = new MirrorStore(db, Clock.systemUTC());
      store.apply("sf", "Contact", "contact", CanonicalSchema.standardFields("contact"), List.of(
          new MirrorRecord("0035g00000JANE", Map.of("last_name", "Doe", "email", "jane.doe@example.com"), Instant.now()),
          new MirrorRecord("0035g00000BOB", Map.of("last_name", "Stone", "email", "bob@example.org"), Instant.now())),
          List.of(), List.of(), Checkpoint.of(Map.of("stamp", "1")));
    }
  }

  @Test
  void forgetByAddressErasesThePersonAndSaysNothingWasWrittenToTheCrm() throws SQLException {
    var dry = run("forget", "--config", config.toString(), "--email", "jane.doe@example.com", "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("dry run: 2 rows would be erased").contains("contact").contains("record_history");
    assertThat(strings("SELECT id FROM contact ORDER BY id")).containsExactly("0035g00000BOB", "0035g00000JANE");

    var done = run("forget", "--config", config.toString(), "--email", "Jane.Doe@Example.com");
    assertThat(done.exit()).as(done.err()).isZero();
    assertThat(done.out()).contains("erased 2 rows; logged as erasure 1").contains("nothing was written to a CRM")
        .doesNotContain("jane.doe");
    assertThat(strings("SELECT id FROM contact")).containsExactly("0035g00000BOB");
    assertThat(strings("SELECT verb FROM erasure")).containsExactly("forget --email");
    assertThat(strings("SELECT COUNT(*) FROM outbox")).containsExactly("0");
  }

  @Test
  void forgetByRecordTakesTheCrmObjectAndId() throws SQLException {
    var done = run("forget", "--config", config.toString(), "--record", "Contact:0035g00000BOB");
    assertThat(done.exit()).as(done.err()).isZero();
    assertThat(strings("SELECT id FROM contact")).containsExactly("0035g00000JANE");
    assertThat(strings("SELECT CONCAT(verb, ' ', subject_kind) FROM erasure")).containsExactly("forget --record record");
  }

  @Test
  void theHelpSaysTheCrmIsNotTouchedAndASubjectIsRequired() {
    var help = run("forget", "--help");
    assertThat(help.out()).contains("--email").contains("--record").contains("does NOT erase anything in the CRM");
    var none = run("forget", "--config", config.toString());
    assertThat(none.exit()).isEqualTo(2);
    var both = run("forget", "--config", config.toString(), "--email", "a@b.c", "--record", "Contact:1");
    assertThat(both.exit()).isEqualTo(2);
    var bad = run("forget", "--config", config.toString(), "--record", "Contact");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains("CRM_OBJECT:ID");
  }

  List<String> strings(String sql) throws SQLException {
    var out = new ArrayList<String>();
    try (var c = TestDatabases.connect(schema); var rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static Run run(String... args) {
    var savedOut = System.out;
    var savedErr = System.err;
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int exit = Main.commandLine().setOut(new java.io.PrintWriter(System.out, true))
          .setErr(new java.io.PrintWriter(System.err, true)).execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
      savedOut.print("$ salesos " + String.join(" ", args) + "\n" + out.toString(StandardCharsets.UTF_8)
          + err.toString(StandardCharsets.UTF_8));
    }
  }
}
