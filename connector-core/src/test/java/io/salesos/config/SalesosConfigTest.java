package io.salesos.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SalesosConfigTest {

  @TempDir
  Path dir;

  @Test
  void aTypoInAKeyNamesTheFileTheLineAndTheKeyItMeant() throws IOException {
    var file = write("""
        database:
          embedded:
            data_dir: var/db
        sync:
          poll_seconds: 30
          pul_batch: 500
        """);
    assertThatThrownBy(() -> SalesosConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ":6:3:")
        .hasMessageContaining("unknown key 'pul_batch'")
        .hasMessageContaining("did you mean 'pull_batch'");
  }

  @Test
  void aBadValueNamesTheLineAndTheKey() throws IOException {
    var file = write("""
        admin:
          port: eighty
        """);
    assertThatThrownBy(() -> SalesosConfig.load(file))
        .hasMessageStartingWith(file + ":2:9:")
        .hasMessageContaining("'admin.port'");
  }

  @Test
  void aYamlSyntaxErrorNamesTheLine() throws IOException {
    var file = write("""
        connections:
          - name: hs
            type: hubspot
           settings: {
        """);
    assertThatThrownBy(() -> SalesosConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ":4:");
  }

  @Test
  void aSecretWrittenInTheFileIsRefusedWithoutEchoingIt() throws IOException {
    var file = write("""
        connections:
          - name: hs
            type: hubspot
            secrets:
              token: pat-na1-super-secret-value
        """);
    assertThatThrownBy(() -> SalesosConfig.load(file))
        .hasMessageStartingWith(file + ":5:")
        .hasMessageContaining("must not be written in the file")
        .hasMessageNotContaining("super-secret");
    var inSettings = write("""
        connections:
          - name: hs
            type: hubspot
            settings:
              api_token: abc
        """);
    assertThatThrownBy(() -> SalesosConfig.load(inSettings)).hasMessageContaining("looks like a secret");
  }

  @Test
  void secretsResolveFromTheEnvironmentAndFilesAndNeverPrint() throws IOException {
    Files.writeString(dir.resolve("sf.pw"), "hunter2\n");
    var file = write("""
        database:
          url: jdbc:mariadb://db1:3306/salesos
          user: salesos
          password: {env: SALESOS_DB_PASSWORD}
        connections:
          - name: sf
            type: salesforce
            settings: {login_url: "https://login.salesforce.com"}
            secrets:
              password: {file: sf.pw}
        """);
    var config = SalesosConfig.load(file);
    var sf = config.connection("sf").orElseThrow();
    assertThat(SecretRef.resolveAll(sf.secrets(), k -> null)).containsEntry("password", "hunter2");
    assertThat(config.database().password().orElseThrow().resolve(Map.of("SALESOS_DB_PASSWORD", "pw")::get)).isEqualTo("pw");
    assertThat(config.toString()).doesNotContain("hunter2");
    assertThat(config.admin().bind()).isEqualTo("127.0.0.1");
  }

  @Test
  void anUnknownKeyIsRefusedNamingTheAllowedKeys() throws IOException {
    var file = write("""
        sync:
          poll_seconds: 30
        sink:
          x: 1
        """);
    assertThatThrownBy(() -> SalesosConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ":3:1:")
        .hasMessageContaining("unknown key 'sink'")
        .hasMessageContaining("(known: admin, alerts, connections, database, retention, rules, scheduler, sync)");
    var inConnection = write("""
        connections:
          - name: hs
            type: hubspot
            read_write: true
        """);
    assertThatThrownBy(() -> SalesosConfig.load(inConnection))
        .hasMessageStartingWith(inConnection + ":4:5:")
        .hasMessageContaining("unknown key 'read_write'")
        .hasMessageContaining("(known: mapping, mode, name, sandbox, secrets, settings, type)");
  }

  @Test
  void aValueOutOfRangeNamesTheFileTheLineAndWhatIsAllowed() throws IOException {
    var file = write("""
        sync:
          pull_lanes: 0
        """);
    assertThatThrownBy(() -> SalesosConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ":2:15:")
        .hasMessageContaining("'sync.pull_lanes': must be at least 1, got 0");
    var port = write("""
        admin:
          port: 70000
        """);
    assertThatThrownBy(() -> SalesosConfig.load(port))
        .hasMessageStartingWith(port + ":2:9:")
        .hasMessageContaining("'admin.port': must be 0 to 65535, got 70000");
    var mode = write("""
        connections:
          - name: hs
            type: hubspot
            mode: write_only
        """);
    assertThatThrownBy(() -> SalesosConfig.load(mode))
        .hasMessageStartingWith(mode + ":4:11:")
        .hasMessageContaining("must be one of read_write, read_only, got 'write_only'");
  }

  @Test
  void aMissingRequiredKeyIsNamed() throws IOException {
    var file = write("""
        connections:
          - name: hs
        """);
    assertThatThrownBy(() -> SalesosConfig.load(file))
        .hasMessageStartingWith(file + ":2:5:")
        .hasMessageContaining("missing required key 'type'");
  }

  @Test
  void eachDefaultApplies() throws IOException {
    var file = write("""
        connections:
          - name: hs
            type: hubspot
        """);
    var config = SalesosConfig.load(file);
    var db = config.database();
    assertThat(db.embeddedDataDir()).contains(dir.resolve("../var/mariadb").normalize());
    assertThat(db.url()).isEmpty();
    assertThat(db.user()).isEqualTo("salesos");
    assertThat(db.password()).isEmpty();
    assertThat(db.poolSize()).isEqualTo(10);
    assertThat(db.unavailableExitSeconds()).as("ten minutes before the daemon gives up on its database").isEqualTo(600);
    var hs = config.connection("hs").orElseThrow();
    assertThat(hs.mapping()).isEqualTo(dir.resolve("mappings/hubspot.yaml"));
    assertThat(hs.readWrite()).isTrue();
    assertThat(hs.sandbox()).isFalse();
    assertThat(hs.settings()).isEmpty();
    assertThat(hs.secrets()).isEmpty();
    assertThat(config.rulesDir()).isEqualTo(dir.resolve("../rules").normalize());
    assertThat(config.sync()).isEqualTo(new SalesosConfig.SyncConfig(60, 2000, 8, 30, 300, 2, 500, 25, 10, 500, 60));
    assertThat(config.sync().pullLanes()).isEqualTo(SalesosConfig.DEFAULT_PULL_LANES);
    assertThat(config.admin()).isEqualTo(new SalesosConfig.AdminConfig("127.0.0.1", 8686, java.util.Optional.empty()));
    assertThat(config.scheduler()).isEqualTo(new SalesosConfig.SchedulerConfig(true, "AUTO", 4));
    assertThat(config.retention()).isEqualTo(new SalesosConfig.RetentionConfig(365, 365, 365, 365, 365, 5000, 65536))
        .isEqualTo(SalesosConfig.RetentionConfig.defaults());
    // Every declared default is one of the above: a new default needs a line here too.
    assertThat(ConfigDef.keys().stream().filter(k -> k.defaultValue().isPresent()).map(ConfigKey::name))
        .containsExactly("database.embedded.data_dir", "database.user", "database.pool_size", "database.unavailable_exit_seconds",
            "connections[].mapping", "connections[].mode", "connections[].sandbox", "rules", "sync.poll_seconds", "sync.evaluate_seconds",
            "sync.pull_batch", "sync.max_attempts", "sync.backoff_seconds", "sync.overlap_seconds", "sync.pull_lanes",
            "sync.stream_poll_factor", "sync.stream_idle_millis", "sync.hold_writes_over", "sync.hold_percent_over",
            "admin.bind", "admin.port", "alerts.connection_failing_minutes", "scheduler.clustered", "scheduler.instance_id", "scheduler.threads",
            "retention.record_history_days", "retention.write_journal_days", "retention.outbox_done_days",
            "retention.conflict_days", "retention.quarantine_days", "retention.batch_rows",
            "retention.quarantine_payload_bytes");
  }

  @Test
  void retentionIsReadAndZeroDaysIsAllowedButATinyPayloadCapIsNot() throws IOException {
    var file = write("""
        connections:
          - name: hs
            type: hubspot
        retention:
          record_history_days: 0
          write_journal_days: 30
          outbox_done_days: 7
          conflict_days: 90
          quarantine_days: 14
          batch_rows: 100
          quarantine_payload_bytes: 4096
        """);
    assertThat(SalesosConfig.load(file).retention())
        .isEqualTo(new SalesosConfig.RetentionConfig(0, 30, 7, 90, 14, 100, 4096));
    var tiny = write("""
        connections:
          - name: hs
            type: hubspot
        retention:
          quarantine_payload_bytes: 10
        """);
    assertThatThrownBy(() -> SalesosConfig.load(tiny)).hasMessageStartingWith(tiny + ":5:")
        .hasMessageContaining("quarantine_payload_bytes");
  }

  private Path write(String text) throws IOException {
    var f = dir.resolve("salesos-" + System.nanoTime() + ".yaml");
    Files.writeString(f, text);
    return f;
  }
}
