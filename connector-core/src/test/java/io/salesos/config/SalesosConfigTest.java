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

  private Path write(String text) throws IOException {
    var f = dir.resolve("salesos-" + System.nanoTime() + ".yaml");
    Files.writeString(f, text);
    return f;
  }
}
