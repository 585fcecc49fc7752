package io.salesos.mirror;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mariadbd processes that serve one data folder, found by the server's own pid file and
 * checked against {@code /proc/PID/cmdline}: a process is only ever taken for ours when it is a
 * mariadbd whose {@code --datadir} is that folder, never by its name or a pid alone (a pid in a stale
 * file may belong to anything by now).
 */
final class ServerProcesses {

  private static final Logger log = LoggerFactory.getLogger(ServerProcesses.class);
  /** The pid file mariadbd writes into its data folder ({@code --pid-file}) and removes on a clean stop. */
  static final String PID_FILE = "mariadbd.pid";

  private ServerProcesses() {}

  /**
   * The live mariadbd processes serving {@code data}: the one the pid file names first, then any
   * other found in {@code /proc} (a server killed with its daemon before it wrote the pid file).
   */
  static List<ProcessHandle> serving(Path data) {
    var found = new ArrayList<ProcessHandle>();
    fromPidFile(data).filter(p -> serves(p.pid(), data)).ifPresent(found::add);
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      procs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
          .map(Long::parseLong)
          .filter(pid -> found.stream().noneMatch(p -> p.pid() == pid) && serves(pid, data))
          .forEach(pid -> ProcessHandle.of(pid).ifPresent(found::add));
    } catch (IOException | RuntimeException e) {
      // no /proc (not Linux): the pid file alone has to do
      log.debug("event=proc_scan_skipped reason=\"{}\"", e.toString());
    }
    found.removeIf(p -> !p.isAlive() || p.pid() == ProcessHandle.current().pid());
    return found;
  }

  /** The process the data folder's pid file names, if the file is there and holds a live pid. */
  static Optional<ProcessHandle> fromPidFile(Path data) {
    var file = data.resolve(PID_FILE);
    try {
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      var text = Files.readString(file).strip();
      return text.matches("\\d{1,10}") ? ProcessHandle.of(Long.parseLong(text)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Whether process {@code pid} is a mariadbd (or mysqld) whose data folder is {@code data}. */
  static boolean serves(long pid, Path data) {
    List<String> args;
    try {
      var raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      args = List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
    } catch (IOException | RuntimeException e) {
      return false; // gone, or not ours to read
    }
    if (args.isEmpty()) {
      return false;
    }
    var program = Path.of(args.get(0)).getFileName();
    if (program == null || !(program.toString().equals("mariadbd") || program.toString().equals("mysqld"))) {
      return false;
    }
    var want = data.toAbsolutePath().normalize();
    for (int i = 0; i < args.size(); i++) {
      var a = args.get(i);
      String dir = null;
      if (a.startsWith("--datadir=")) {
        dir = a.substring("--datadir=".length());
      } else if (a.equals("--datadir") && i + 1 < args.size()) {
        dir = args.get(i + 1);
      }
      if (dir != null && sameFolder(Path.of(dir), want)) {
        return true;
      }
    }
    return false;
  }

  private static boolean sameFolder(Path a, Path b) {
    if (a.toAbsolutePath().normalize().equals(b)) {
      return true;
    }
    try {
      return Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Stops a server left running by a daemon that died without stopping it: SIGTERM first, so it
   * flushes and releases the data folder as on any clean stop, and SIGKILL only when it has not
   * gone after {@code grace} (InnoDB then recovers from its log at our start). Never touches a file.
   */
  static void stop(ProcessHandle server, Path data, Duration grace) {
    // a server whose parent is a live JVM still has an owner (a salesos from before the owner lock,
    // or a test): never take its database away; an orphan's parent is init or a subreaper
    var parent = server.parent().filter(ProcessHandle::isAlive);
    if (parent.isPresent() && parent.get().pid() != 1 && parent.get().info().command()
        .map(c -> Path.of(c).getFileName().toString().equals("java")).orElse(false)) {
      throw new IllegalStateException("a MariaDB server (pid " + server.pid() + ") already runs on " + data
          + ", started by the running Java process " + parent.get().pid() + ": stop that process first, or give this one a"
          + " database.embedded.data_dir of its own");
    }
    log.warn("event=embedded_db_leftover_stopping pid={} data={} reason=\"left running by a salesos that did not stop it\"",
        server.pid(), data);
    server.destroy();
    if (awaitExit(server, grace)) {
      log.info("event=embedded_db_leftover_stopped pid={} signal=TERM", server.pid());
      return;
    }
    log.warn("event=embedded_db_leftover_killing pid={} waited_seconds={}", server.pid(), grace.toSeconds());
    server.destroyForcibly();
    if (!awaitExit(server, Duration.ofSeconds(10))) {
      throw new IllegalStateException("the MariaDB server left running on " + data + " (pid " + server.pid()
          + ") did not stop on SIGTERM nor SIGKILL; stop it by hand (kill -9 " + server.pid() + ") and start salesos again");
    }
    log.info("event=embedded_db_leftover_stopped pid={} signal=KILL", server.pid());
  }

  private static boolean awaitExit(ProcessHandle p, Duration timeout) {
    try {
      p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return !p.isAlive();
    } catch (ExecutionException e) {
      return !p.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !p.isAlive();
    }
  }
}
