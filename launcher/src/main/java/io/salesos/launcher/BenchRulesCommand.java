package io.salesos.launcher;

import io.salesos.cli.Home;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Times evaluate + reconcile of the default rule set over N synthetic deals, in memory. */
@Command(name = "rules", mixinStandardHelpOptions = true,
    description = "Time the evaluation and reconcile of N deals with the rule set (median of 3, after warm-up).")
final class BenchRulesCommand implements Runnable {

  @Option(names = "--deals", description = "deals to evaluate (default: ${DEFAULT-VALUE})")
  int deals = 100_000;

  @Option(names = "--rules", description = "the rules folder (default: rules/ under SALESOS_HOME)")
  Path rules;

  @Override
  public void run() {
    var r = RulesBenchmark.run(deals, rules != null ? rules : Home.dir().resolve("rules"), System.out);
    System.out.printf("median %.2f s for %d deals (%d changes)%n", r.medianSeconds(), r.deals(), r.changes());
  }
}
