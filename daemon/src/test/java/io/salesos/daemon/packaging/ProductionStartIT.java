package io.salesos.daemon.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.testing.TestDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up the container image and the systemd unit run: the built jar, started with the
 * Dockerfile's own ENTRYPOINT and CMD, on {@code config/production.yaml} as shipped, twice, against
 * one database. Only what must point at this machine changes in the file: the database address
 * (the embedded MariaDB here, an external MariaDB or Galera in production), the org's address (the
 * Salesforce sandbox) and where the mounted secret files are. Both daemons become healthy on the
 * Dockerfile's health check, form one Quartz cluster, mirror the org between them, keep every
 * secret out of their output and stop cleanly on SIGTERM.
 */
class ProductionStartIT {

  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final String SHIPPED_DB_URL = "jdbc:mariadb://mariadb.internal:3306/salesos";
  static final String SHIPPED_ORG_URL = "https://yourcompany.my.salesforce.com";

  @TempDir
  Path tmp;

  SalesforceSandbox sandbox;
  final List<Process> daemons = new ArrayList<>();

  @AfterEach
  void tearDown() throws InterruptedException {
    for (var p : daemons) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  void twoDaemonsStartedAsTheImageStartsThemShareTheWorkOnOneDatabaseAndStopOnSigterm() throws Exception {
    var jar = REPO.resolve("daemon/target/salesos.jar");
    assertThat(jar).as("the shaded jar (failsafe runs after package)").exists();
    var image = dockerfileCommand(Files.readString(REPO.resolve("Dockerfile")));
    assertThat(image).containsSubsequence("java", "-jar", "/opt/salesos/salesos.jar", "run", "--config",
        "/etc/salesos/production.yaml");
    assertThat(image).as("the container binds off loopback, so it needs the token").containsSubsequence("--admin-bind", "0.0.0.0");

    sandbox = SalesforceSandbox.builder()
        .seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(Instant.now().truncatedTo(ChronoUnit.DAYS))))
        .start();
    var schema = TestDatabases.newSchema();
    // the shipped file's user becomes the test account; its password comes from the environment as in production
    var dbPassword = TestDatabases.password();

    var etc = tmp.resolve("etc/salesos");
    copyTree(REPO.resolve("config/mappings"), etc.resolve("mappings"));
    copyTree(REPO.resolve("rules"), etc.resolve("rules"));
    var secrets = Files.createDirectories(tmp.resolve("run/secrets"));
    Files.writeString(secrets.resolve("sf-client-id"), sandbox.clientId() + "\n");
    Files.writeString(secrets.resolve("sf-client-secret"), sandbox.clientSecret() + "\n");
    var shipped = Files.readString(REPO.resolve("config/production.yaml"));
    assertThat(shipped).contains(SHIPPED_DB_URL, "user: salesos", SHIPPED_ORG_URL, "/run/secrets/", "port: 8686", "clustered: true");
    // at least 32 characters, or the daemon refuses it
    var adminToken = "admin-" + java.util.UUID.randomUUID().toString().replace("-", "");

    var ports = new ArrayList<Integer>();
    for (int i = 0; i < 2; i++) {
      int port = freePort();
      ports.add(port);
      var dir = Files.createDirectories(tmp.resolve("instance-" + i));
      // each instance gets its own copy: two daemons on one host cannot share the admin port
      var configDir = i == 0 ? etc : copyTree(etc, dir.resolve("etc/salesos"));
      Files.writeString(configDir.resolve("production.yaml"), shipped
          .replace(SHIPPED_DB_URL, TestDatabases.jdbcUrl(schema))
          .replace("user: salesos", "user: " + TestDatabases.user())
          .replace(SHIPPED_ORG_URL, sandbox.baseUrl())
          .replace("/run/secrets/", secrets + "/")
          .replace("port: 8686", "port: " + port));
      var command = new ArrayList<String>();
      for (var arg : image) {
        command.add(switch (arg) {
          case "java" -> Path.of(System.getProperty("java.home"), "bin", "java").toString();
          case "/opt/salesos/salesos.jar" -> jar.toString();
          default -> arg.replace("/etc/salesos", configDir.toString());
        });
      }
      var pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
      pb.environment().put("SALESOS_DB_PASSWORD", dbPassword);
      pb.environment().put("SALESOS_ADMIN_TOKEN", adminToken);
      pb.environment().put("SALESOS_HOME", Files.createDirectories(dir.resolve("home")).toString());
      daemons.add(pb.start());
    }

    var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    for (int i = 0; i < 2; i++) {
      int port = ports.get(i);
      var process = daemons.get(i);
      var log = tmp.resolve("instance-" + i + "/out.log");
      await("instance " + i + " healthy on /health", Duration.ofSeconds(150), log,
          () -> process.isAlive() && status(http, "http://127.0.0.1:" + port + "/health") == 200);
    }
    // the image binds 0.0.0.0, so everything but /health is locked by the token
    assertThat(status(http, "http://127.0.0.1:" + ports.get(0) + "/metrics")).isEqualTo(401);
    assertThat(status(http, "http://127.0.0.1:" + ports.get(0) + "/")).isEqualTo(401);
    assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(0) + "/metrics"))
        .header("Authorization", "Bearer " + adminToken).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
        .isEqualTo(200);
    int opportunities = sandbox.count("Opportunity");
    assertThat(opportunities).isPositive();
    await("the org's opportunities mirrored", Duration.ofSeconds(150), tmp.resolve("instance-0/out.log"),
        () -> count(schema, "SELECT COUNT(*) FROM deal WHERE source = 'salesforce' AND NOT deleted") == opportunities);
    assertThat(count(schema, "SELECT COUNT(*) FROM QRTZ_SCHEDULER_STATE")).as("Quartz cluster members").isEqualTo(2);

    for (int i = 0; i < 2; i++) {
      daemons.get(i).destroy();
    }
    for (int i = 0; i < 2; i++) {
      assertThat(daemons.get(i).waitFor(60, TimeUnit.SECONDS)).as("instance " + i + " stops on SIGTERM").isTrue();
      var out = Files.readString(tmp.resolve("instance-" + i + "/out.log"));
      assertThat(out).contains("running:").doesNotContain(dbPassword, adminToken, sandbox.clientSecret());
    }
  }

  /** The ENTRYPOINT and CMD JSON arrays of the Dockerfile, joined: what {@code docker run IMAGE} executes. */
  static List<String> dockerfileCommand(String dockerfile) throws IOException {
    var json = new ObjectMapper();
    var out = new ArrayList<String>();
    var byInstruction = new HashMap<String, List<String>>();
    for (var line : dockerfile.lines().toList()) {
      for (var instruction : List.of("ENTRYPOINT", "CMD")) {
        if (line.startsWith(instruction + " ")) {
          var args = new ArrayList<String>();
          json.readTree(line.substring(instruction.length()).trim()).forEach(n -> args.add(n.asText()));
          byInstruction.put(instruction, args);
        }
      }
    }
    out.addAll(byInstruction.getOrDefault("ENTRYPOINT", List.of()));
    out.addAll(byInstruction.getOrDefault("CMD", List.of()));
    return out;
  }

  static int status(HttpClient http, String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  static long count(String schema, String sql) {
    try (var c = TestDatabases.connect(schema);
        var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      return -1; // the tables appear once the first daemon has migrated
    }
  }

  static void await(String what, Duration timeout, Path log, BooleanSupplier done) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > end) {
        var out = Files.exists(log) ? Files.readString(log) : "";
        throw new AssertionError("timed out waiting for " + what + "; log tail:\n"
            + out.substring(Math.max(0, out.length() - 4000)));
      }
      Thread.sleep(500);
    }
  }

  static int freePort() throws IOException {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Path copyTree(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (var f : files.toList()) {
        var target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return to;
  }
}
