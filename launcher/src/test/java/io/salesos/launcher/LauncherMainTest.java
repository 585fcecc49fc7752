package io.salesos.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LauncherMainTest {

  @Test
  void theLauncherOffersTheDaemonsVerbsPlusDemoSandboxAndBench() {
    var out = new ByteArrayOutputStream();
    var saved = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(LauncherMain.execute("--help")).isZero();
    } finally {
      System.setOut(saved);
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("demo", "sandbox", "bench", "run", "sync", "dry-run", "config");
  }

  @Test
  void theBenchmarksChildSandboxIsStartedThroughTheLauncher() {
    // bench sync starts `sandbox CRM` in a child JVM by this class's name: the production Main has no sandbox verb
    assertThat(LauncherMain.execute("sandbox", "--help")).isZero();
    assertThat(io.salesos.cli.Main.commandLine().getSubcommands()).doesNotContainKeys("sandbox", "demo", "bench");
  }
}
