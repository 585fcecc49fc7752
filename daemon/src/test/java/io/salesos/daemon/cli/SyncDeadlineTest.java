package io.salesos.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.cli.Main;
import io.salesos.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A one-shot sync against a CRM nobody answers for stops at its deadline and names the address it tried. */
class SyncDeadlineTest {

  @TempDir
  Path dir;

  @Test
  void aSyncAgainstAClosedPortExitsNonZeroWithinItsDeadlineNamingHostAndPort() throws Exception {
    int port;
    try (var socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    var root = Path.of("..").toAbsolutePath().normalize();
    Files.writeString(dir.resolve("token"), "pat-na1-00000000-0000-0000-0000-000000000000");
    var config = dir.resolve("salesos.yaml");
    Files.writeString(config, """
        database:
          url: "%s"
          user: %s
          password: {file: %s}
          pool_size: 2
        connections:
          - name: hubspot
            type: hubspot
            mapping: %s
            settings:
              base_url: http://127.0.0.1:%d
            secrets:
              token: {file: %s}
        rules: %s
        """.formatted(TestDatabases.jdbcUrl(TestDatabases.newSchema()), TestDatabases.user(), TestDatabases.passwordFile(), root.resolve("config/mappings/hubspot.yaml"), port,
        dir.resolve("token"), root.resolve("rules")));

    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    var savedOut = System.out;
    var savedErr = System.err;
    long t0 = System.nanoTime();
    int code;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      code = Main.execute("sync", "--config", config.toString(), "--deadline", "20");
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    var printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    System.out.println(printed);

    assertThat(code).isNotZero();
    assertThat(seconds).as("stops at its deadline").isLessThan(40);
    assertThat(printed).contains("127.0.0.1:" + port);
  }
}
