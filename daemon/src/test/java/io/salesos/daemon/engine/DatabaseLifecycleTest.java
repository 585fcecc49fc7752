package io.salesos.daemon.engine;

import static io.salesos.daemon.engine.EngineFixtures.awaitLine;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.cli.Main;
import io.salesos.testing.TcpGate;
import io.salesos.testing.TestDatabases;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The database's lifecycle under a real daemon process ({@code salesos run}): a daemon killed with
 * SIGKILL leaves its embedded server behind, and the next start stops it and comes up on the same
 * data; an embedded server killed under a running daemon is started again while /health says 503;
 * an external database that goes away makes /health 503 and, after the configured time, the daemon
 * exit non-zero for its supervisor to restart it.
 */
@Tag("slow")
class DatabaseLifecycleTest extends ChildDaemonTest {

  static final Pattern EMBEDDED_PORT = Pattern.compile("embedded MariaDB 11\\.4 at 127\\.0\\.0\\.1:(\\d+)");
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final List<Process> others = new ArrayList<>();

  @Test
  void aDaemonKilledWithSigkillStartsAgainWithinThirtySecondsOnTheSameData() throws Exception {
    int admin = freePort();
    var config = embeddedConfig(admin, "");
    var first = dir.resolve("first.log");
    child = EngineFixtures.startChild(first, Main.class, "run", "--config", config.toString());
    var running = lineOf(first, awaitLine(first, 0, l -> l.contains(" running: "), Duration.ofSeconds(120), child));
    try (var c = connect(embeddedPort(running)); var st = c.createStatement()) {
      st.execute("CREATE TABLE lifecycle_marker (id INT PRIMARY KEY)");
      st.execute("INSERT INTO lifecycle_marker VALUES (42)");
    }
    var leftover = serverOf(child);

    child.destroyForcibly();
    assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(leftover.isAlive()).as("SIGKILL leaves the embedded server running").isTrue();

    var second = dir.resolve("second.log");
    long t0 = System.nanoTime();
    child = EngineFixtures.startChild(second, Main.class, "run", "--config", config.toString());
    running = lineOf(second, awaitLine(second, 0, l -> l.contains(" running: "), Duration.ofSeconds(30), child));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    assertThat(EngineFixtures.lines(second)).anyMatch(l -> l.contains("event=embedded_db_leftover_stopped pid=" + leftover.pid()));
    assertThat(leftover.isAlive()).isFalse();
    try (var c = connect(embeddedPort(running));
        var rs = c.createStatement().executeQuery("SELECT id FROM lifecycle_marker")) {
      assertThat(rs.next()).as("the same data").isTrue();
      assertThat(rs.getInt(1)).isEqualTo(42);
    }
    assertThat(health(admin)).isEqualTo(200);
    assertThat(Files.list(dir.resolve("var/mariadb")).map(p -> p.getFileName().toString()))
        .contains("salesos-credentials.properties", "mariadbd.pid", "salesos");
  }

  @Test
  void anEmbeddedServerKilledUnderARunningDaemonIsRestartedWhileHealthSays503() throws Exception {
    int admin = freePort();
    var config = embeddedConfig(admin, "");
    var log = dir.resolve("daemon.log");
    child = EngineFixtures.startChild(log, Main.class, "run", "--config", config.toString());
    var running = lineOf(log, awaitLine(log, 0, l -> l.contains(" running: "), Duration.ofSeconds(120), child));
    int port = embeddedPort(running);
    try (var c = connect(port); var st = c.createStatement()) {
      st.execute("CREATE TABLE lifecycle_marker (id INT PRIMARY KEY)");
      st.execute("INSERT INTO lifecycle_marker VALUES (7)");
    }
    assertThat(health(admin)).isEqualTo(200);
    var server = serverOf(child);

    server.destroyForcibly();
    var seen = new ArrayList<Integer>();
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < end) {
      int status = health(admin);
      if (seen.isEmpty() || seen.get(seen.size() - 1) != status) {
        seen.add(status);
      }
      if (seen.contains(503) && status == 200) {
        break;
      }
      Thread.sleep(20);
    }
    assertThat(seen).as("/health while the server is down, then after").containsSubsequence(503, 200);
    assertThat(child.isAlive()).as("the daemon carries on").isTrue();
    awaitLine(log, 0, l -> l.contains("event=embedded_db_restarted port=" + port), Duration.ofSeconds(10), child);
    var restarted = serverOf(child);
    assertThat(restarted.pid()).isNotEqualTo(server.pid());
    try (var c = connect(port); var rs = c.createStatement().executeQuery("SELECT id FROM lifecycle_marker")) {
      assertThat(rs.next()).as("same port, same data").isTrue();
      assertThat(rs.getInt(1)).isEqualTo(7);
    }
  }

  @Test
  void anUnreachableExternalDatabaseMakesHealth503AndTheDaemonExitNonZeroAfterTheConfiguredTime() throws Exception {
    var schema = TestDatabases.newSchema();
    var mariadb = TestDatabases.server();
    try (var gate = new TcpGate(mariadb.port())) {
      int admin = freePort();
      var url = TestDatabases.jdbcUrl(schema).replace(":" + mariadb.port() + "/", ":" + gate.port() + "/");
      var config = externalConfig(admin, url, 30);
      var log = dir.resolve("daemon.log");

      // unreachable at start: the daemon waits for it, saying so on /health
      gate.cut();
      child = EngineFixtures.startChild(log, Main.class, "run", "--config", config.toString());
      awaitLine(log, 0, l -> l.contains("event=database_unreachable_at_start"), Duration.ofSeconds(90), child);
      var waiting = get(admin, "/health");
      assertThat(waiting.statusCode()).isEqualTo(503);
      assertThat(waiting.body()).contains("database unreachable since");
      gate.restore();
      awaitLine(log, 0, l -> l.contains(" running: "), Duration.ofSeconds(90), child);
      assertThat(health(admin)).isEqualTo(200);

      // gone while it runs: 503 at once, then an exit the supervisor sees
      gate.cut();
      long cut = System.nanoTime();
      int status = 0;
      while (System.nanoTime() - cut < Duration.ofSeconds(15).toNanos() && (status = health(admin)) != 503) {
        Thread.sleep(100);
      }
      assertThat(status).isEqualTo(503);
      assertThat(child.waitFor(150, TimeUnit.SECONDS)).as("the daemon exits after database.unavailable_exit_seconds").isTrue();
      assertThat(child.exitValue()).isNotZero();
      assertThat(Duration.ofNanos(System.nanoTime() - cut)).isGreaterThanOrEqualTo(Duration.ofSeconds(30));
      assertThat(EngineFixtures.lines(log)).anyMatch(l -> l.contains("event=database_unavailable_giving_up"))
          .anyMatch(l -> l.startsWith("salesos: run: the database has been unreachable for"));
    }
  }

  private Path embeddedConfig(int adminPort, String extra) throws IOException {
    var conf = Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(dir.resolve("rules"));
    var file = conf.resolve("salesos.yaml");
    Files.writeString(file, """
        database:
          embedded:
            data_dir: ../var/mariadb
        rules: ../rules
        admin:
          port: %d
        %s""".formatted(adminPort, extra));
    return file;
  }

  private Path externalConfig(int adminPort, String url, int exitSeconds) throws IOException {
    var conf = Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(dir.resolve("rules"));
    var password = conf.resolve("db-password");
    Files.writeString(password, TestDatabases.password());
    var file = conf.resolve("salesos.yaml");
    Files.writeString(file, """
        database:
          url: %s
          user: %s
          password: {file: %s}
          pool_size: 2
          unavailable_exit_seconds: %d
        rules: ../rules
        admin:
          port: %d
        """.formatted(url, TestDatabases.user(), password, exitSeconds, adminPort));
    return file;
  }

  /** The running embedded server of daemon {@code daemon}: its child mariadbd, named by the pid file in the data folder. */
  private ProcessHandle serverOf(Process daemon) throws IOException {
    var pid = Long.parseLong(Files.readString(dir.resolve("var/mariadb/mariadbd.pid")).strip());
    var server = ProcessHandle.of(pid).orElseThrow();
    assertThat(daemon.toHandle().children()).as("the server is the daemon's child").extracting(ProcessHandle::pid).contains(pid);
    return server;
  }

  private java.sql.Connection connect(int port) throws Exception {
    var p = new Properties();
    try (var in = Files.newBufferedReader(dir.resolve("var/mariadb/salesos-credentials.properties"))) {
      p.load(in);
    }
    return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/salesos", "salesos", p.getProperty("salesos"));
  }

  private static int embeddedPort(String runningLine) {
    var m = EMBEDDED_PORT.matcher(runningLine);
    assertThat(m.find()).as(runningLine).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static String lineOf(Path log, int index) {
    return EngineFixtures.lines(log).get(index);
  }

  private int health(int port) {
    try {
      return get(port, "/health").statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(15))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
