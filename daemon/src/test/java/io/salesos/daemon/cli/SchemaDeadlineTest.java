package io.salesos.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code schema verify} against an org nobody answers for stops at its deadline instead of retrying on. */
class SchemaDeadlineTest {

  @TempDir
  Path dir;

  @Test
  void aSchemaVerifyAgainstAClosedPortExitsWithTheDeadlineCodeInTime() throws Exception {
    int port;
    try (var socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    var root = Path.of("..").toAbsolutePath().normalize();
    Files.writeString(dir.resolve("sf-client-id"), "3MVG9-closed-port");
    Files.writeString(dir.resolve("sf-client-secret"), "never-answered");
    var config = dir.resolve("salesos.yaml");
    Files.writeString(config, """
        database:
          embedded:
            data_dir: %s
        connections:
          - name: salesforce
            type: salesforce
            mapping: %s
            settings:
              instance_url: http://127.0.0.1:%d
              auth: oauth_client_credentials
            secrets:
              client_id: {file: %s}
              client_secret: {file: %s}
        rules: %s
        """.formatted(dir.resolve("db"), root.resolve("config/mappings/salesforce.yaml"), port,
        dir.resolve("sf-client-id"), dir.resolve("sf-client-secret"), root.resolve("rules")));

    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    var savedOut = System.out;
    var savedErr = System.err;
    long t0 = System.nanoTime();
    int code;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      code = Main.execute("schema", "verify", "--config", config.toString(), "--deadline", "3");
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    var printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    System.out.println(printed);

    // the connection's retries (backoff 0.5 s doubling, six tries) would take about 15 s on their own
    assertThat(code).isEqualTo(3);
    assertThat(seconds).as("stops at its deadline").isBetween(3.0, 20.0);
    assertThat(printed).contains("schema verify: did not finish within 3 s (--deadline)");
  }
}
