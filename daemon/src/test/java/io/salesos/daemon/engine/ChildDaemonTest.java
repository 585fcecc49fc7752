package io.salesos.daemon.engine;

import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.mirror.Database;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** What the tests that run a daemon as a child process share: its folder, the sandbox it talks to, the mirror, the child. */
abstract class ChildDaemonTest {

  @TempDir
  Path dir;

  HubSpotSandbox sandbox;
  Database db;
  Process child;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (child != null && child.isAlive()) {
      // SIGTERM first, so a daemon with an embedded server stops it; what is still running after is killed,
      // its embedded server included, rather than left behind for the next test run
      var descendants = child.descendants().toList();
      child.destroy();
      if (!child.waitFor(15, TimeUnit.SECONDS)) {
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
    if (db != null) {
      db.close();
    }
    if (sandbox != null) {
      sandbox.close();
    }
  }
}
