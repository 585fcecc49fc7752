package io.salesos.launcher;

import io.salesos.schedule.SerialFilter;
import io.salesos.cli.Main;

/**
 * What {@code ./salesos} runs: the production daemon's verbs plus {@code demo}, {@code sandbox}
 * and {@code bench}, which need the sandbox CRMs and the demo org generator that the production
 * image leaves out.
 */
public final class LauncherMain {

  private LauncherMain() {}

  public static void main(String[] args) {
    SerialFilter.installProcessWide();
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int execute(String... args) {
    var cli = Main.commandLine();
    cli.addSubcommand(new DemoCommand());
    cli.addSubcommand(new SandboxCommand());
    cli.addSubcommand(new BenchCommand());
    return cli.execute(args);
  }
}
