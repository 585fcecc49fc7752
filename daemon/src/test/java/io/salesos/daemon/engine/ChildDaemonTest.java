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
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (db != null) {
      db.close();
    }
    if (sandbox != null) {
      sandbox.close();
    }
  }
}
