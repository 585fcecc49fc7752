package io.salesos.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Benchmarks that print medians: performance is measured by a command, never by a timed unit test. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure salesos: sync throughput, change-to-flag latency, rule evaluation, visit planning, live re-planning, the OPTW benchmark.",
    subcommands = {BenchSyncCommand.class, BenchRulesCommand.class, BenchOptwCommand.class, BenchPlanCommand.class,
      BenchReplanCommand.class, BenchLatencyCommand.class})
final class BenchCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
